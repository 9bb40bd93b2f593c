ALTER TABLE "companies" ADD COLUMN "name_key" text;--> statement-breakpoint
CREATE INDEX "companies_name_key_idx" ON "companies" USING btree ("org_id","name_key");--> statement-breakpoint
-- Companies keyed by name hold it in their dedupe key, "name:<words>|<country>": the words without spaces.
UPDATE "companies" SET "name_key" = replace(regexp_replace("dedupe_key", '^name:(.*)\|[^|]*$', '\1'), ' ', '') WHERE "dedupe_key" LIKE 'name:%';
