import { and, sql } from 'drizzle-orm';
import { prospects } from '../../db/schema';
import type { Ctx } from '../context';
import { AppError, invalid } from '../http/errors';
import { prospectConditions } from '../prospects/prospect-list';
import { getCampaign } from '../scoring/campaigns';
import { checkCriteria, segmentCondition } from '../scoring/ranked';
import { BATCH_MAX } from './decisions';
import type { ProspectFilter } from './schemas';

/** The prospects a dry run's filter stands for: those GET /v1/prospects would list, at most BATCH_MAX. */
export async function batchTargets(ctx: Ctx, filter: ProspectFilter): Promise<string[]> {
  const { campaign, minScore, maxScore, segment, ...rest } = filter;
  if ((minScore !== undefined || maxScore !== undefined) && !campaign)
    throw invalid('a score range needs the campaign that gave the scores', [
      { field: 'filter.campaign', message: 'required with minScore or maxScore' },
    ]);
  checkCriteria(
    {
      ...(minScore !== undefined ? { minScore } : {}),
      ...(maxScore !== undefined ? { maxScore } : {}),
    },
    'body:filter.minScore',
  );
  // An unknown campaign is a 404, not zero targets that look like a campaign nobody may call.
  if (campaign) await getCampaign(ctx, campaign);
  const rows = await ctx.db
    .select({ id: prospects.id })
    .from(prospects)
    .where(
      and(
        ...prospectConditions(ctx, rest),
        campaign
          ? sql`${prospects.id} IN (SELECT prospect_id FROM prospect_scores
              WHERE org_id = ${ctx.orgId} AND campaign_id = ${campaign}
                ${minScore !== undefined ? sql`AND score >= ${minScore}` : sql``}
                ${maxScore !== undefined ? sql`AND score <= ${maxScore}` : sql``})`
          : undefined,
        segment ? segmentCondition(ctx, segment) : undefined,
      ),
    )
    .limit(BATCH_MAX + 1);
  if (rows.length > BATCH_MAX)
    throw new AppError(
      'UNPROCESSABLE',
      `the filter matches more than ${BATCH_MAX.toLocaleString('en')} prospects: narrow it`,
    );
  return rows.map((r) => r.id);
}
