import { and, desc, eq, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { companies, prospects } from '../../db/schema';
import type { Ctx } from '../context';
import { decodeCursor, page } from '../http/pagination';
import { industryPrefix, industrySchemeIs } from './companies';
import type { IndustryScheme } from './company-values';
import { contactPointsOf } from './contact-points';
import { containsBare, escapeLike, phoneDigits } from './search';

/**
 * Prospects found by a filter: the filter (ProspectFilters), the conditions it stands for, which ranked
 * lists and compliance batches reuse (prospectConditions), and a page of prospects with their company's
 * name and their contact points (listProspects).
 */

export interface ProspectFilters {
  q?: string;
  country?: string;
  companyId?: string;
  kind?: 'b2b' | 'b2c';
  language?: string;
  industry?: string;
  industryScheme?: IndustryScheme;
  jobTitle?: string;
  externalId?: string;
  channel?: 'phone' | 'email';
  updatedSince?: Date;
  limit: number;
  cursor?: string;
}

/** The conditions a prospect filter stands for, scoped to the organization. */
export function prospectConditions(
  ctx: Ctx,
  f: Omit<ProspectFilters, 'limit' | 'cursor'>,
): (SQL | undefined)[] {
  return [
    eq(prospects.orgId, ctx.orgId),
    f.country ? eq(prospects.country, f.country.toUpperCase()) : undefined,
    f.companyId ? eq(prospects.companyId, f.companyId) : undefined,
    f.kind ? eq(prospects.kind, f.kind) : undefined,
    f.language ? eq(prospects.language, f.language) : undefined,
    f.externalId ? eq(prospects.externalId, f.externalId) : undefined,
    f.jobTitle ? sql`${prospects.jobTitle} ILIKE ${`%${escapeLike(f.jobTitle)}%`}` : undefined,
    f.updatedSince ? sql`${prospects.updatedAt} >= ${f.updatedSince.toISOString()}` : undefined,
    f.q ? searched(ctx, f.q) : undefined,
    f.industry || f.industryScheme
      ? sql`${prospects.companyId} IN (SELECT id FROM companies WHERE org_id = ${ctx.orgId}
          AND ${f.industry ? industryPrefix(sql`industry_code`, f.industry) : sql`true`}
          AND ${f.industryScheme ? industrySchemeIs(sql`industry_scheme`, f.industryScheme) : sql`true`})`
      : undefined,
    f.channel
      ? sql`EXISTS (SELECT 1 FROM contact_points cp WHERE cp.org_id = ${ctx.orgId}
               AND cp.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(${prospects.contactPoints}) e)
               AND cp.channel = ${f.channel} AND cp.status = 'valid')`
      : undefined,
  ];
}

/**
 * `q`: part of the name (first, last or both, accents and case aside), of an e-mail address, or a phone
 * number however it is written.
 */
function searched(ctx: Ctx, q: string): SQL {
  const digits = phoneDigits(q);
  const point = digits
    ? sql`cp.channel = 'phone' AND cp.value LIKE ${`%${digits}`}`
    : sql`cp.channel = 'email' AND cp.value LIKE ${`%${escapeLike(q.trim().toLowerCase())}%`}`;
  // The people of the matching contact points, found once (contact points list their people back).
  return sql`(${containsBare(sql`coalesce(${prospects.firstName}, '') || ' ' || coalesce(${prospects.lastName}, '')`, q)}
    OR ${prospects.id} IN (SELECT unnest(cp.prospect_ids) FROM contact_points cp
      WHERE cp.org_id = ${ctx.orgId} AND ${point}))`;
}

export async function listProspects(ctx: Ctx, f: ProspectFilters) {
  const after = decodeCursor(f.cursor);
  const conditions: (SQL | undefined)[] = [
    ...prospectConditions(ctx, f),
    after ? lt(prospects.id, after) : undefined,
  ];
  const rows = await ctx.db
    .select()
    .from(prospects)
    .where(and(...conditions))
    .orderBy(desc(prospects.id))
    .limit(f.limit + 1);
  const result = page(rows, f.limit);
  const _ids = result.data.map((r) => r.id);
  const companyIds = [...new Set(result.data.flatMap((r) => (r.companyId ? [r.companyId] : [])))];
  const [points, names] = await Promise.all([
    contactPointsOf(ctx, result.data),
    companyIds.length === 0
      ? Promise.resolve([])
      : ctx.db
          .select({ id: companies.id, name: companies.name })
          .from(companies)
          .where(and(eq(companies.orgId, ctx.orgId), inArray(companies.id, companyIds))),
  ]);
  const companyName = new Map(names.map((c) => [c.id, c]));
  return {
    data: result.data.map((r) => ({
      ...r,
      company: r.companyId ? (companyName.get(r.companyId) ?? null) : null,
      contactPoints: points.get(r.id) ?? [],
    })),
    nextCursor: result.nextCursor,
  };
}
