-- Stored reasons as text (see jsonText in db/schema/scoring.ts): one statement, so the table is rewritten once.
ALTER TABLE "prospect_scores" ALTER COLUMN "reasons" SET DATA TYPE text, ALTER COLUMN "other_reasons" SET DATA TYPE text;
