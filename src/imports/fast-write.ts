import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { copyText, queryRows } from '../db';
import { type CompanyUpsert, upsertCompanies } from '../prospects/batch-companies';
import { type BatchOutcome, type WriteSession, writeProspects } from '../prospects/batch-write';
import { CONTACT_POINT_COPY_COLUMNS, PROSPECT_COPY_COLUMNS } from '../prospects/copy-columns';
import { queueScoring } from '../scoring/queue';
import { externalKey, type FastRows } from './fast-rows';
import type { ProspectRecord } from './prospect-records';

const PAGE = 50_000;

/**
 * Hands the converter the keys the organization already has (contact point ids, CRM ids), a page at a
 * time, and answers whether it did: an organization with more than `limit` of them is left to the
 * careful path, where a batch's look-up costs less than reading them all.
 */
export async function loadKnownKeys(
  ctx: Ctx,
  know: (keys: string[]) => void,
  limit: number,
): Promise<boolean> {
  const [{ n }] = (await queryRows<{ n: number }>(
    ctx.db,
    sql`SELECT (SELECT count(*) FROM (
                SELECT 1 FROM contact_points WHERE org_id = ${ctx.orgId} LIMIT ${limit + 1}) AS cp)
             + (SELECT count(*) FROM (
                SELECT 1 FROM prospects WHERE org_id = ${ctx.orgId} AND external_id IS NOT NULL
                LIMIT ${limit + 1}) AS p) AS n`,
  )) as [{ n: number }];
  if (Number(n) > limit) return false;
  await eachPage(
    (after) =>
      queryRows<{ key: string }>(
        ctx.db,
        sql`SELECT id::text AS key FROM contact_points
            WHERE org_id = ${ctx.orgId} ${after === null ? sql`` : sql`AND id > ${after}::uuid`}
            ORDER BY id LIMIT ${PAGE}`,
      ),
    know,
  );
  await eachPage(
    (after) =>
      queryRows<{ key: string }>(
        ctx.db,
        sql`SELECT external_id AS key FROM prospects
            WHERE org_id = ${ctx.orgId} AND external_id IS NOT NULL
              ${after === null ? sql`` : sql`AND external_id > ${after}`}
            ORDER BY external_id LIMIT ${PAGE}`,
      ),
    (keys) => know(keys.map(externalKey)),
  );
  return true;
}

/** Reads keys in pages of PAGE, each after the last of the one before (the query orders by the key). */
async function eachPage(
  page: (after: string | null) => Promise<{ key: string }[]>,
  take: (keys: string[]) => void,
): Promise<void> {
  for (let after: string | null = null; ; ) {
    const rows = await page(after);
    if (rows.length > 0) take(rows.map((r) => r.key));
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.key;
  }
}

/** The fast rows met a row written meanwhile; what the batch did write before (its companies) is counted. */
export interface FastConflict {
  conflict: { companiesCreated: number; companiesUpdated: number };
}

/**
 * Writes one batch of a prospect import: the companies of all its rows in file order, the fast rows with
 * two COPY statements, then the careful rows. When a fast row turns out not to be new (another request
 * wrote the same phone or CRM id since the import began), the unique index refuses the COPY and the
 * answer is a conflict: nothing of the fast rows is kept, and the caller writes the batch with care.
 */
export async function writeProspectImportBatch(
  ctx: Ctx,
  careful: ProspectRecord[],
  fast: FastRows,
  session: WriteSession,
): Promise<BatchOutcome | FastConflict> {
  const drafts = [
    ...fast.companies,
    ...careful.flatMap((r) => (r.company ? [{ line: r.line, company: r.company }] : [])),
  ].sort((a, b) => a.line - b.line);
  const companies = await upsertCompanies(
    ctx,
    drafts.map((d) => d.company),
    session.companies,
  );
  if (fast.count > 0) {
    const ids = await companyIds(ctx, fast.companyKeys, companies, session);
    const conflict = { companiesCreated: companies.created, companiesUpdated: companies.updated };
    if (!ids) return { conflict };
    const lines = new Array<string>(fast.count);
    for (let i = 0; i < fast.count; i++) {
      const key = fast.companyKeys[i] ?? null;
      const companyId = key === null ? undefined : ids.get(key);
      lines[i] =
        `${ctx.orgId}\t${companyId ?? '\\N'}\t${fast.kinds[i] ?? (companyId ? 'b2b' : 'b2c')}\t${fast.tails[i]}`;
    }
    // One join each: one flat string to send, not a chain of a piece per row.
    const prospects = `${lines.join('\n')}\n`;
    const points = fast.contactPoints.length > 0 ? `${fast.contactPoints.join('\n')}\n` : '';
    // The companies stay written: the careful writer finds them in the session's cache, and they are
    // counted as this batch's.
    if (!(await copyUnlessTaken(ctx, prospects, points))) return { conflict };
    await queueScoring(ctx, fast.ids);
  }
  const outcome = await writeProspects(ctx, careful, companies);
  return { ...outcome, created: outcome.created + fast.count };
}

/**
 * Adds to the batch's upserted ids those of the fast rows' other companies: from the import's cache or,
 * when it forgot them, the table; undefined when one is no longer there.
 */
async function companyIds(
  ctx: Ctx,
  keys: (string | null)[],
  upserted: CompanyUpsert,
  session: WriteSession,
): Promise<Map<string, string> | undefined> {
  const ids = upserted.ids;
  const missing = new Set<string>();
  for (const key of keys) {
    if (key === null || ids.has(key)) continue;
    const cached = session.companies.get(key);
    if (cached) ids.set(key, cached.id);
    else missing.add(key);
  }
  if (missing.size > 0) {
    const rows = await queryRows<{ id: string; dedupe_key: string }>(
      ctx.db,
      sql`SELECT id, dedupe_key FROM companies
          WHERE org_id = ${ctx.orgId} AND dedupe_key = ANY(${sql.param([...missing])}::text[])`,
    );
    for (const row of rows) ids.set(row.dedupe_key, row.id);
    // Deleted by someone else since this import wrote it: the careful writer upserts it again.
    if ([...missing].some((key) => !ids.has(key))) return undefined;
  }
  return ids;
}

async function copyUnlessTaken(ctx: Ctx, prospects: string, contactPoints: string): Promise<boolean> {
  await ctx.db.execute(sql`SAVEPOINT fast_rows`);
  try {
    await copyText(ctx.db, 'prospects', PROSPECT_COPY_COLUMNS, prospects);
    await copyText(ctx.db, 'contact_points', CONTACT_POINT_COPY_COLUMNS, contactPoints);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await ctx.db.execute(sql`ROLLBACK TO SAVEPOINT fast_rows`);
    return false;
  }
  await ctx.db.execute(sql`RELEASE SAVEPOINT fast_rows`);
  return true;
}

function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
