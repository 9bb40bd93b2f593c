CREATE TABLE "drafts" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"prospect_id" uuid NOT NULL,
	"campaign_id" uuid,
	"channel" text NOT NULL,
	"language" text NOT NULL,
	"tone" text NOT NULL,
	"status" text NOT NULL,
	"generator" text NOT NULL,
	"model" text,
	"prompt_file" text,
	"prompt_version" text,
	"facts_hash" text NOT NULL,
	"brief" jsonb NOT NULL,
	"content" jsonb,
	"edited_content" jsonb,
	"findings" jsonb NOT NULL,
	"tolerability" integer NOT NULL,
	"repaired" boolean DEFAULT false NOT NULL,
	"fallback" text,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"batch_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"used_at" timestamp with time zone,
	CONSTRAINT "drafts_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "llm_calls" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"draft_id" uuid NOT NULL,
	"prospect_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"model" text NOT NULL,
	"ok" boolean NOT NULL,
	"error" text,
	"status" integer,
	"calls" integer NOT NULL,
	"request" jsonb NOT NULL,
	"response" text,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "llm_calls_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "pitch" jsonb;--> statement-breakpoint
CREATE INDEX "drafts_org_id_prospect_id_index" ON "drafts" USING btree ("org_id","prospect_id");--> statement-breakpoint
CREATE INDEX "drafts_org_id_status_id_index" ON "drafts" USING btree ("org_id","status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "drafts_org_id_batch_id_prospect_id_index" ON "drafts" USING btree ("org_id","batch_id","prospect_id") WHERE batch_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "llm_calls_org_id_draft_id_index" ON "llm_calls" USING btree ("org_id","draft_id");--> statement-breakpoint
CREATE INDEX "llm_calls_org_id_prospect_id_index" ON "llm_calls" USING btree ("org_id","prospect_id");