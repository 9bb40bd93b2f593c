import { z } from '@hono/zod-openapi';

/** A stored score as the API shows it (see presentScore in ranked.ts). */
export const StoredScoreSchema = z
  .object({
    campaignId: z.string(),
    score: z.number().int(),
    rank: z.number().int(),
    probability: z.number().nullable(),
    modelId: z.string().nullable(),
    fit: z.number().int(),
    engagement: z.number().int(),
    pressure: z.object({ touches: z.number().int(), penalty: z.number().int() }),
    reasons: z.object({
      positive: z.array(z.object({ code: z.string(), points: z.number(), fr: z.string(), en: z.string() })),
      negative: z.array(z.object({ code: z.string(), points: z.number(), fr: z.string(), en: z.string() })),
    }),
    since: z
      .string()
      .openapi({ description: 'Since when these values hold: the rescoring that last changed them' }),
  })
  .openapi('StoredScore');
