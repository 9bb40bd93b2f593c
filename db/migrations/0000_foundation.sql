CREATE TABLE "interactions" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"prospect_id" uuid NOT NULL,
	"contact_point_id" uuid,
	"type" text NOT NULL,
	"channel" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"outcome" text,
	"campaign" text,
	"note" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"external_id" text,
	"source" text DEFAULT 'api' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "interactions_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"org_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "idempotency_keys_org_id_key_pk" PRIMARY KEY("org_id","key")
);
--> statement-breakpoint
CREATE TABLE "import_rejections" (
	"job_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"field" text,
	"reason" text NOT NULL,
	"raw" jsonb,
	CONSTRAINT "import_rejections_job_id_line_pk" PRIMARY KEY("job_id","line")
);
--> statement-breakpoint
CREATE TABLE "job_blobs" (
	"job_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "job_blobs_job_id_seq_pk" PRIMARY KEY("job_id","seq")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" jsonb DEFAULT '{"rowsDone":0,"rowsTotal":null,"bytesDone":0,"bytesTotal":null}'::jsonb NOT NULL,
	"result" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" jsonb,
	"checkpoint" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_keyHash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"default_country" char(2) DEFAULT 'FR' NOT NULL,
	"default_language" text DEFAULT 'fr' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "companies" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"registration_id" text,
	"registration_scheme" text,
	"industry_code" text,
	"industry_scheme" text,
	"industry_label" text,
	"employee_count" integer,
	"employee_band" text,
	"annual_revenue" double precision,
	"revenue_currency" char(3),
	"country" char(2),
	"region" text,
	"city" text,
	"postal_code" text,
	"domain" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "companies_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "contact_points" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"channel" text NOT NULL,
	"value" text NOT NULL,
	"phone_type" text,
	"country" char(2),
	"domain" text,
	"status" text DEFAULT 'valid' NOT NULL,
	"status_reason" text,
	"prospect_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_points_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "prospects" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"company_id" uuid,
	"external_id" text,
	"kind" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"job_title" text,
	"seniority" text,
	"department" text,
	"language" text,
	"country" char(2),
	"region" text,
	"city" text,
	"postal_code" text,
	"time_zone" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"contact_points" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prospects_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rejections" ADD CONSTRAINT "import_rejections_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_blobs" ADD CONSTRAINT "job_blobs_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "interactions_org_id_prospect_id_occurred_at_index" ON "interactions" USING btree ("org_id","prospect_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "interactions_external_id_idx" ON "interactions" USING btree ("org_id","external_id") WHERE external_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "jobs_org_id_created_at_index" ON "jobs" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "jobs_claimable_idx" ON "jobs" USING btree ("created_at") WHERE status IN ('queued', 'running');--> statement-breakpoint
CREATE INDEX "api_keys_org_id_created_at_index" ON "api_keys" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "api_keys_active_idx" ON "api_keys" USING btree ("org_id") WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "companies_org_id_dedupe_key_index" ON "companies" USING btree ("org_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "companies_industry_idx" ON "companies" USING btree ("org_id",industry_code text_pattern_ops);--> statement-breakpoint
CREATE INDEX "companies_domain_idx" ON "companies" USING btree ("org_id","domain") WHERE domain IS NOT NULL;--> statement-breakpoint
CREATE INDEX "prospects_org_id_company_id_index" ON "prospects" USING btree ("org_id","company_id");--> statement-breakpoint
CREATE UNIQUE INDEX "prospects_external_id_idx" ON "prospects" USING btree ("org_id","external_id") WHERE external_id IS NOT NULL;