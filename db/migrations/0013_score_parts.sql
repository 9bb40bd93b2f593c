ALTER TABLE "campaigns" ADD COLUMN "rescored_parts" text;--> statement-breakpoint
ALTER TABLE "prospect_scores" ADD COLUMN "adjustment" smallint;--> statement-breakpoint
ALTER TABLE "prospect_scores" ADD COLUMN "held" boolean;--> statement-breakpoint
ALTER TABLE "prospect_scores" ADD COLUMN "percentile" smallint;--> statement-breakpoint
ALTER TABLE "prospect_scores" ADD COLUMN "other_reasons" json;--> statement-breakpoint
ALTER TABLE "prospect_scores" ADD COLUMN "fit_fingerprint" integer;