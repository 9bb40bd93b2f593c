CREATE TABLE "audit_log" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_key_id" uuid,
	"actor_role" text,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "audit_log_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"prospect_id" uuid,
	"contact_point_id" uuid,
	"channel" text NOT NULL,
	"purpose" text NOT NULL,
	"basis" text NOT NULL,
	"source" text NOT NULL,
	"proof" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"given_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	"withdrawal_proof" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	CONSTRAINT "consents_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "contact_attempts" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"prospect_id" uuid,
	"contact_point_id" uuid,
	"company_id" uuid,
	"channel" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"campaign" text,
	"sector" text,
	"reserved_by" uuid,
	"outcome" text,
	"outcome_at" timestamp with time zone,
	"refused" boolean DEFAULT false NOT NULL,
	"checked" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "contact_attempts_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "instance_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"policy" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "registry_snapshots" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"serial" serial NOT NULL,
	"registry" text NOT NULL,
	"as_of" date NOT NULL,
	"status" text DEFAULT 'loading' NOT NULL,
	"file_name" text,
	"numbers" bigint DEFAULT 0 NOT NULL,
	"rejected_lines" bigint DEFAULT 0 NOT NULL,
	"rejections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"ready_at" timestamp with time zone,
	CONSTRAINT "registry_snapshots_org_id_id_pk" PRIMARY KEY("org_id","id"),
	CONSTRAINT "registry_snapshots_serial_unique" UNIQUE("serial")
);
--> statement-breakpoint
CREATE TABLE "suppressions" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"scope" text NOT NULL,
	"channel" text NOT NULL,
	"value_hash" "bytea" NOT NULL,
	"hint" text,
	"reason" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"removed_at" timestamp with time zone,
	"removed_by" uuid,
	"removal_reason" text,
	CONSTRAINT "suppressions_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE INDEX "audit_log_org_id_at_index" ON "audit_log" USING btree ("org_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_org_id_subject_id_index" ON "audit_log" USING btree ("org_id","subject_id");--> statement-breakpoint
CREATE INDEX "consents_org_id_prospect_id_index" ON "consents" USING btree ("org_id","prospect_id");--> statement-breakpoint
CREATE INDEX "consents_org_id_contact_point_id_index" ON "consents" USING btree ("org_id","contact_point_id");--> statement-breakpoint
CREATE INDEX "contact_attempts_org_id_contact_point_id_at_index" ON "contact_attempts" USING btree ("org_id","contact_point_id","at");--> statement-breakpoint
CREATE INDEX "contact_attempts_org_id_prospect_id_at_index" ON "contact_attempts" USING btree ("org_id","prospect_id","at");--> statement-breakpoint
CREATE INDEX "contact_attempts_org_id_company_id_at_index" ON "contact_attempts" USING btree ("org_id","company_id","at") WHERE company_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "registry_snapshots_org_id_registry_as_of_index" ON "registry_snapshots" USING btree ("org_id","registry","as_of");--> statement-breakpoint
CREATE INDEX "suppressions_active_idx" ON "suppressions" USING btree ("org_id","value_hash") WHERE removed_at IS NULL;