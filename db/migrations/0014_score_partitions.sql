-- Written by hand (drizzle cannot declare partitions): a campaign's scores in a partition of their own, so
-- that a first scoring fills a table without the score and rank indexes, builds them once and swaps it in
-- (src/scoring/score-generation.ts). Each campaign's partition is made with the campaign (createCampaign).
ALTER TABLE "prospect_scores" RENAME TO "prospect_scores_unpartitioned";--> statement-breakpoint
ALTER TABLE "prospect_scores_unpartitioned" RENAME CONSTRAINT "prospect_scores_org_id_campaign_id_prospect_id_pk" TO "prospect_scores_unpartitioned_pk";--> statement-breakpoint
DROP INDEX "prospect_scores_org_id_campaign_id_score_prospect_id_index";--> statement-breakpoint
DROP INDEX "prospect_scores_org_id_campaign_id_rank_prospect_id_index";--> statement-breakpoint
CREATE TABLE "prospect_scores" (LIKE "prospect_scores_unpartitioned" INCLUDING DEFAULTS) PARTITION BY LIST ("campaign_id");--> statement-breakpoint
ALTER TABLE "prospect_scores" ADD CONSTRAINT "prospect_scores_org_id_campaign_id_prospect_id_pk" PRIMARY KEY("org_id","campaign_id","prospect_id");--> statement-breakpoint
CREATE INDEX "prospect_scores_org_id_campaign_id_score_prospect_id_index" ON "prospect_scores" USING btree ("org_id","campaign_id","score" DESC NULLS LAST,"prospect_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "prospect_scores_org_id_campaign_id_rank_prospect_id_index" ON "prospect_scores" USING btree ("org_id","campaign_id","rank" DESC NULLS LAST,"prospect_id" DESC NULLS LAST);--> statement-breakpoint
DO $$
DECLARE campaign record;
BEGIN
  FOR campaign IN SELECT id FROM campaigns LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF prospect_scores FOR VALUES IN (%L)',
      'prospect_scores_' || replace(campaign.id::text, '-', ''), campaign.id);
  END LOOP;
END
$$;--> statement-breakpoint
INSERT INTO "prospect_scores" SELECT * FROM "prospect_scores_unpartitioned";--> statement-breakpoint
DROP TABLE "prospect_scores_unpartitioned";
