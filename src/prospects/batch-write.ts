import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { queueCompanyPeople, queueScoring } from '../scoring/queue';
import { type CompanyCache, type CompanyUpsert, type KeyedCompany, upsertCompanies } from './batch-companies';
import { assignTargets, findExisting } from './batch-match';
import { insertProspects, updateProspects, writeContactPoints } from './batch-prospects';
import type { ContactPointDraft, ProspectDraft } from './drafts';

/** One normalized row of a prospect import. */
export interface ProspectWrite {
  line: number;
  company?: KeyedCompany;
  prospect?: ProspectDraft;
  contactPoints: ContactPointDraft[];
}

export interface BatchOutcome {
  created: number;
  updated: number;
  /** Rows that matched a prospect and changed nothing of it (a file imported again). */
  unchanged: number;
  companiesCreated: number;
  companiesUpdated: number;
}

/** What one import keeps across its batches. */
export interface WriteSession {
  companies: CompanyCache;
}

export function newWriteSession(): WriteSession {
  return { companies: new Map() };
}

/** Serializes the writes that match rows to existing prospects and contact points, across API processes. */
export async function lockOrganizationWrites(ctx: Ctx): Promise<void> {
  await ctx.db.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tiede:prospects:' || ${ctx.orgId}::text))`);
}

/**
 * Writes a batch of import rows in a few set-based statements: companies upserted by dedupe key; a row
 * whose CRM id, e-mail or phone is already known updates that prospect, other rows create one; contact
 * points created once per organization and listed on both sides. Runs in the caller's transaction, which
 * holds the organization's write lock (lockOrganizationWrites).
 */
export async function writeProspectBatch(
  ctx: Ctx,
  rows: ProspectWrite[],
  session: WriteSession,
): Promise<BatchOutcome> {
  const companies = await upsertCompanies(
    ctx,
    rows.flatMap((r) => (r.company ? [r.company] : [])),
    session.companies,
  );
  return writeProspects(ctx, rows, companies);
}

/** writeProspectBatch once the rows' companies are written: `companies` has the id of each. */
export async function writeProspects(
  ctx: Ctx,
  rows: ProspectWrite[],
  companies: CompanyUpsert,
): Promise<BatchOutcome> {
  const existing = await findExisting(ctx, rows, companies.ids);
  const targets = assignTargets(ctx.orgId, rows, existing, companies.ids);
  const creates = targets.filter((t) => t.isNew);
  const updates = targets.filter((t) => !t.isNew);

  const outcome: BatchOutcome = {
    created: 0,
    updated: 0,
    unchanged: 0,
    companiesCreated: companies.created,
    companiesUpdated: companies.updated,
  };
  for (const row of rows) {
    if (row.prospect) continue;
    if (row.company && companies.inserted.has(row.company.dedupeKey)) outcome.created++;
    else if (row.company && companies.changed.has(row.company.dedupeKey)) outcome.updated++;
    else outcome.unchanged++;
  }
  outcome.created += creates.length;

  await insertProspects(ctx, creates, companies.ids);
  const changed = await updateProspects(ctx, updates, companies.ids);
  for (const t of updates) {
    // The rows that landed on a new prospect after its first are updates of it.
    if (changed.has(t.id)) outcome.updated += t.rows;
    else outcome.unchanged += t.rows;
  }
  for (const t of creates) outcome.updated += t.rows - 1;
  await writeContactPoints(ctx, targets, existing.contactPoints);
  // Nobody whose facts, their company's included, stayed the same needs scoring again.
  await queueScoring(
    ctx,
    targets
      .filter(
        (t) =>
          t.isNew || changed.has(t.id) || (t.companyKey !== undefined && companies.changed.has(t.companyKey)),
      )
      .map((t) => t.id),
  );
  // And everyone else at a company the batch changed: its industry or headcount is their fit too.
  await queueCompanyPeople(
    ctx,
    [...companies.changed].flatMap((key) => companies.ids.get(key) ?? []),
  );
  return outcome;
}
