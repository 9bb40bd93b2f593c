ALTER TABLE "companies" ADD COLUMN "name_key" text;--> statement-breakpoint
CREATE INDEX "companies_name_key_idx" ON "companies" USING btree ("org_id","name_key");
