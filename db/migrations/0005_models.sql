CREATE TABLE "models" (
	"org_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"status" text NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	"rows" integer NOT NULL,
	"successes" integer NOT NULL,
	"metrics" jsonb,
	"encoder" jsonb,
	"weights" jsonb,
	"intercept" double precision,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "models_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
CREATE INDEX "models_org_id_campaign_id_index" ON "models" USING btree ("org_id","campaign_id");