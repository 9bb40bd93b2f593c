import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { and, asc, desc, eq, gt, gte, inArray, lte, or, type SQL, sql } from 'drizzle-orm';
import {
  CHANNELS,
  companies,
  PROSPECT_KINDS,
  type Prospect,
  type ProspectScoreRow,
  prospectScores,
  prospects,
  type StoredReason,
} from '../../db/schema';
import { suppressedChannels } from '../compliance/suppressed-channels';
import type { Ctx } from '../context';
import { invalid } from '../http/errors';
import { contactPointsOf } from '../prospects/contact-points';
import { employeesOf } from '../prospects/employees-sql';
import { TEXT_LIMITS } from '../prospects/limits';
import { type ProspectFilters, prospectConditions } from '../prospects/prospect-list';
import { CountryCodeInput, IndustrySchemeInput } from '../prospects/schemas';
import { writeReason } from './reasons';
import { storedShown } from './score';

/**
 * Prospects in a campaign's order: by score or by rank (the score less the contact pressure), with the
 * filters a manager narrows a list with, each carrying its score, probability and reasons.
 */

/** Company size segments after the French categories (décret 2008-1354): TPE, PME, ETI, GE. */
export const SEGMENTS = {
  micro: { max: 9, label: 'TPE / micro (under 10 employees)' },
  sme: { min: 10, max: 249, label: 'PME / SME (10–249)' },
  midcap: { min: 250, max: 4999, label: 'ETI / mid-cap (250–4,999)' },
  large: { min: 5000, label: 'GE / large (5,000 and more)' },
} as const satisfies Record<string, { min?: number; max?: number; label: string }>;
export type Segment = keyof typeof SEGMENTS;

export const RANKED_SORTS = ['-score', 'score', '-rank'] as const;
export type RankedSort = (typeof RANKED_SORTS)[number];

/** The filters of a ranked list, as a query string or a saved list's criteria give them. */
/** French names of the segments, as managers say them: TPE, PME, ETI, GE. */
const SEGMENT_NAMES: Record<string, Segment> = { tpe: 'micro', pme: 'sme', eti: 'midcap', ge: 'large' };
const SEGMENT_VALUES = [...Object.keys(SEGMENTS), ...Object.keys(SEGMENT_NAMES)];

/** A bound of whole-number scores: 57.5 keeps what a person would, from 58 up or to 57 down. */
const scoreBound = (round: (n: number) => number) =>
  z.coerce
    .number()
    .min(0)
    .max(100)
    .transform((n) => round(n))
    .optional();

export const RankedCriteria = {
  minScore: scoreBound(Math.ceil),
  maxScore: scoreBound(Math.floor),
  segment: z
    .string()
    .transform((v, ctx) => {
      const key = v.trim().toLowerCase();
      const segment = SEGMENT_NAMES[key] ?? (key in SEGMENTS ? (key as Segment) : undefined);
      if (segment) return segment;
      ctx.addIssue({ code: 'custom', message: `one of ${SEGMENT_VALUES.join(', ')}` });
      return z.NEVER;
    })
    .optional()
    .openapi({
      type: 'string',
      enum: SEGMENT_VALUES,
      description: `Company size: ${Object.entries(SEGMENTS)
        .map(([k, v]) => `${k} = ${v.label}`)
        .join('; ')} (the French names TPE, PME, ETI, GE too)`,
    }),
  // A code no prospect can carry ("UK", "XX") is refused with the one meant, as a profile's is, rather
  // than answered with an empty list.
  country: CountryCodeInput.optional().openapi({
    description: 'ISO 3166-1 alpha-2 code: the person’s country, else their company’s',
  }),
  industry: z.string().max(20).optional().openapi({ description: "Prefix of the company's industry code" }),
  industryScheme: IndustrySchemeInput.optional().openapi({
    description:
      "The company's industry scheme (NAF and NACE go together): `industry=42` means civil engineering in NAF, wholesale in NAICS",
  }),
  kind: z.enum(PROSPECT_KINDS).optional(),
  language: z.string().max(TEXT_LIMITS.language).optional(),
  jobTitle: z.string().max(TEXT_LIMITS.jobTitle).optional(),
  q: z.string().max(200).optional().openapi({
    description:
      'Part of the name (accents and case aside), part of an e-mail address, or a phone number in any form',
  }),
  companyId: z.string().uuid().optional(),
  channel: z.enum(CHANNELS).optional(),
};
const criteriaObject = z.object(RankedCriteria);
export type RankedFilters = z.infer<typeof criteriaObject> & {
  campaign: string;
  sort: RankedSort;
  /** Only people offered for contact (rank above 0): a calling list's. */
  offeredOnly?: boolean;
};

const EMPLOYEES = employeesOf('c');

export function segmentCondition(ctx: Ctx, segment: Segment): SQL {
  const { min, max } = SEGMENTS[segment] as { min?: number; max?: number };
  const range = [
    min !== undefined ? sql`${EMPLOYEES} >= ${min}` : undefined,
    max !== undefined ? sql`${EMPLOYEES} <= ${max}` : undefined,
  ].filter((c): c is SQL => c !== undefined);
  return sql`${prospects.companyId} IN (SELECT c.id FROM companies c WHERE c.org_id = ${ctx.orgId} AND ${sql.join(range, sql` AND `)})`;
}

/** Refuses an empty score range, naming its minimum as the request wrote it (`field`). */
export function checkCriteria(f: { minScore?: number; maxScore?: number }, field = 'query:minScore'): void {
  if (f.minScore !== undefined && f.maxScore !== undefined && f.minScore > f.maxScore)
    throw invalid('the score range is empty', [{ field, message: 'must not exceed maxScore' }]);
}

function conditions(ctx: Ctx, f: RankedFilters): (SQL | undefined)[] {
  checkCriteria(f);
  const { campaign: _c, sort: _s, offeredOnly, minScore, maxScore, segment, country, ...prospectFilters } = f;
  return [
    eq(prospectScores.orgId, ctx.orgId),
    // The country scoring uses: the person's, else their company's.
    country
      ? sql`coalesce(${prospects.country}, (SELECT c.country FROM companies c
              WHERE c.org_id = ${ctx.orgId} AND c.id = ${prospects.companyId})) = ${country.toUpperCase()}`
      : undefined,
    eq(prospectScores.campaignId, f.campaign),
    offeredOnly ? gt(prospectScores.rank, 0) : undefined,
    minScore !== undefined ? gte(prospectScores.score, minScore) : undefined,
    maxScore !== undefined ? lte(prospectScores.score, maxScore) : undefined,
    segment ? segmentCondition(ctx, segment) : undefined,
    ...prospectConditions(ctx, prospectFilters as Omit<ProspectFilters, 'limit' | 'cursor'>),
  ];
}

/**
 * A short digest of what a list is: its campaign, every filter and its order. A cursor carries it, because
 * a keyset taken under one set of filters skips rows when walked under another.
 */
function filtersFingerprint(f: RankedFilters): string {
  const keys = [...Object.keys(RankedCriteria), 'campaign', 'sort'].sort();
  const values = keys.map((k) => (f as Record<string, unknown>)[k] ?? null);
  return createHash('sha256').update(JSON.stringify(values)).digest('base64url').slice(0, 11);
}

/**
 * Keyset cursor of a ranked list: its order, the sort value and the prospect id of the last row seen,
 * then the fingerprint of its filters. A rank can be below zero (a score less its pressure).
 */
function encodeCursor(f: RankedFilters, value: number, id: string): string {
  return Buffer.from(`${f.sort}:${value}:${id}:${filtersFingerprint(f)}`, 'utf8').toString('base64url');
}

function decodeCursor(
  f: RankedFilters,
  cursor: string | undefined,
): { value: number; id: string } | undefined {
  if (!cursor) return undefined;
  const match = /^([-a-z]+):(-?\d{1,3}):([0-9a-f-]{36}):([\w-]{11})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!match)
    throw invalid('the cursor is not one this API gave', [
      { field: 'cursor', message: 'not a cursor from a previous page of this list' },
    ]);
  if (match[1] !== f.sort)
    throw invalid('the cursor is from a list in another order', [
      { field: 'cursor', message: `from a list sorted by ${match[1]}, not ${f.sort}` },
    ]);
  if (match[4] !== filtersFingerprint(f))
    throw invalid('the cursor is from a list with other filters', [
      { field: 'cursor', message: 'from a list with another campaign or filters; start again without it' },
    ]);
  return { value: Number(match[2]), id: match[3]! };
}

export interface RankedRow {
  prospect: Prospect;
  score: ProspectScoreRow;
}

/** One page of a campaign's scored prospects in the asked order. */
export async function rankedPage(ctx: Ctx, f: RankedFilters, limit: number, cursor?: string) {
  const after = decodeCursor(f, cursor);
  const byRank = f.sort === '-rank';
  const column = byRank ? prospectScores.rank : prospectScores.score;
  const ascending = f.sort === 'score';
  const keyset = after
    ? ascending
      ? or(
          sql`${column} > ${after.value}`,
          and(eq(column, after.value), sql`${prospectScores.prospectId} < ${after.id}`),
        )
      : or(
          sql`${column} < ${after.value}`,
          and(eq(column, after.value), sql`${prospectScores.prospectId} < ${after.id}`),
        )
    : undefined;
  const rows = await ctx.db
    .select({ prospect: prospects, score: prospectScores })
    .from(prospectScores)
    .innerJoin(
      prospects,
      and(eq(prospects.orgId, prospectScores.orgId), eq(prospects.id, prospectScores.prospectId)),
    )
    .where(and(...conditions(ctx, f), keyset))
    .orderBy(ascending ? asc(column) : desc(column), desc(prospectScores.prospectId))
    .limit(limit + 1);
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return {
    data,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(f, byRank ? last.score.rank : last.score.score, last.prospect.id)
        : null,
  };
}

/** A stored score as the API shows it, its reasons written out in French and English. */
export function presentScore(s: ProspectScoreRow) {
  const write = (r: StoredReason) => writeReason(r);
  const shown = storedShown(s);
  return {
    campaignId: s.campaignId,
    score: s.score,
    rank: s.rank,
    probability: s.probability,
    modelId: s.modelId,
    fit: s.fit,
    engagement: s.engagement,
    pressure: { touches: s.touches, penalty: s.pressure },
    reasons: { positive: shown.positive.map(write), negative: shown.negative.map(write) },
    since: s.since,
  };
}

/** The rows with what a list shows of them: company name, contact points, the channels they are not to be contacted on. */
export async function withCompanyAndContacts<T extends RankedRow>(ctx: Ctx, rows: T[]) {
  const companyIds = [...new Set(rows.flatMap((r) => (r.prospect.companyId ? [r.prospect.companyId] : [])))];
  const [points, found] = await Promise.all([
    contactPointsOf(
      ctx,
      rows.map((r) => r.prospect),
    ),
    companyIds.length === 0
      ? Promise.resolve([])
      : ctx.db
          .select({
            id: companies.id,
            name: companies.name,
            industryCode: companies.industryCode,
            employeeCount: companies.employeeCount,
            employeeBand: companies.employeeBand,
            domain: companies.domain,
          })
          .from(companies)
          .where(and(eq(companies.orgId, ctx.orgId), inArray(companies.id, companyIds))),
  ]);
  const byId = new Map(found.map((c) => [c.id, c]));
  const suppressed = await suppressedChannels(
    ctx,
    rows.map((r) => ({
      id: r.prospect.id,
      companyId: r.prospect.companyId,
      companyDomain: (r.prospect.companyId && byId.get(r.prospect.companyId)?.domain) || null,
      externalId: r.prospect.externalId,
      contactPoints: points.get(r.prospect.id) ?? [],
    })),
  );
  return rows.map((r) => ({
    ...r,
    company: r.prospect.companyId ? (byId.get(r.prospect.companyId) ?? null) : null,
    contactPoints: points.get(r.prospect.id) ?? [],
    doNotContact: suppressed.get(r.prospect.id) ?? [],
  }));
}

/** All the pages of a ranked list, a thousand rows at a time, for the export. */
export async function* rankedRows(ctx: Ctx, f: RankedFilters) {
  let cursor: string | undefined;
  do {
    const page = await rankedPage(ctx, f, 1000, cursor);
    yield await withCompanyAndContacts(ctx, page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Keeps a ranked list's filters from a wider query (the prospect list's own parameters). */
export function criteriaOf(query: Record<string, unknown>): z.infer<typeof criteriaObject> {
  return criteriaObject.parse(
    Object.fromEntries(
      Object.keys(RankedCriteria).flatMap((k) => (query[k] === undefined ? [] : [[k, query[k]]])),
    ),
  );
}
