CREATE TABLE "prospect_list_members" (
	"org_id" uuid NOT NULL,
	"list_id" uuid NOT NULL,
	"prospect_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"score" smallint NOT NULL,
	"rank" smallint NOT NULL,
	CONSTRAINT "prospect_list_members_org_id_list_id_prospect_id_pk" PRIMARY KEY("org_id","list_id","prospect_id")
);
--> statement-breakpoint
CREATE TABLE "prospect_lists" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"name" text NOT NULL,
	"criteria" jsonb NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"size" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	CONSTRAINT "prospect_lists_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "prospect_scores" (
	"org_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"prospect_id" uuid NOT NULL,
	"score" smallint NOT NULL,
	"rank" smallint NOT NULL,
	"fit" smallint NOT NULL,
	"engagement" smallint NOT NULL,
	"pressure" smallint NOT NULL,
	"touches" smallint NOT NULL,
	"probability" double precision,
	"model_id" uuid,
	"reasons" json NOT NULL,
	"fingerprint" integer NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"score_since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prospect_scores_org_id_campaign_id_prospect_id_pk" PRIMARY KEY("org_id","campaign_id","prospect_id")
);
--> statement-breakpoint
CREATE TABLE "score_history" (
	"org_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"prospect_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"score" smallint NOT NULL,
	"probability" double precision,
	"model_id" uuid,
	CONSTRAINT "score_history_org_id_campaign_id_prospect_id_at_pk" PRIMARY KEY("org_id","campaign_id","prospect_id","at")
);
--> statement-breakpoint
CREATE TABLE "score_queue" (
	"org_id" uuid NOT NULL,
	"prospect_id" uuid NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scored_at" timestamp with time zone,
	CONSTRAINT "score_queue_org_id_prospect_id_pk" PRIMARY KEY("org_id","prospect_id")
);
--> statement-breakpoint
DROP INDEX "interactions_org_id_prospect_id_occurred_at_index";--> statement-breakpoint
-- Written by hand (drizzle cannot declare INCLUDE): a person's events, readable from the index alone.
CREATE INDEX "interactions_by_prospect" ON "interactions" USING btree ("org_id","prospect_id","occurred_at" DESC) INCLUDE ("type","outcome");--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "rescored_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "prospect_list_members_org_id_list_id_position_index" ON "prospect_list_members" USING btree ("org_id","list_id","position");--> statement-breakpoint
CREATE INDEX "prospect_lists_org_id_campaign_id_index" ON "prospect_lists" USING btree ("org_id","campaign_id");--> statement-breakpoint
CREATE INDEX "prospect_scores_org_id_campaign_id_score_prospect_id_index" ON "prospect_scores" USING btree ("org_id","campaign_id","score" DESC NULLS LAST,"prospect_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "prospect_scores_org_id_campaign_id_rank_prospect_id_index" ON "prospect_scores" USING btree ("org_id","campaign_id","rank" DESC NULLS LAST,"prospect_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "score_queue_waiting_idx" ON "score_queue" USING btree ("org_id","queued_at") WHERE scored_at IS NULL;