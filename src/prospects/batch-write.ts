import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { newId } from '../lib/ids';
import type { CompanyDraft, ContactPointDraft, ProspectDraft } from './drafts';
import { mergeDrafts, samePersonByName } from './merge';

/** One normalized row of a prospect import. */
export interface ProspectWrite {
  line: number;
  company?: CompanyDraft & { dedupeKey: string };
  prospect?: ProspectDraft;
  contactPoints: ContactPointDraft[];
}

export interface BatchOutcome {
  created: number;
  updated: number;
  companiesCreated: number;
  companiesUpdated: number;
}

/** Kept across the batches of one import: companies already written, so repeats cost nothing. */
export interface WriteSession {
  companies: Map<string, { id: string; signature: string }>;
}

export function newWriteSession(): WriteSession {
  return { companies: new Map() };
}

const p = sql.param;
const nulls = <T>(values: (T | undefined)[]) => values.map((v) => (v === undefined ? null : v));

/**
 * Writes a batch of import rows in set-based statements: companies upserted by their dedupe key, a row
 * whose CRM id, e-mail or phone is already known updates that prospect, other rows create one, and
 * contact points are created once per organization and linked. Must run inside a transaction that holds
 * the organization's import lock (see lockOrganizationWrites).
 */
export async function writeProspectBatch(
  ctx: Ctx,
  rows: ProspectWrite[],
  session: WriteSession,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { created: 0, updated: 0, companiesCreated: 0, companiesUpdated: 0 };
  const companyIds = await upsertCompanies(ctx, rows, session, outcome);

  const existing = await findExisting(ctx, rows);
  const targets = assignTargets(rows, existing);

  const creates = targets.filter((t) => t.isNew);
  const updates = targets.filter((t) => !t.isNew);
  for (const row of rows) {
    if (!row.prospect) {
      if (row.company && companyIds.inserted.has(row.company.dedupeKey)) outcome.created++;
      else outcome.updated++;
    }
  }
  outcome.created += creates.length;
  outcome.updated += targets.reduce((sum, t) => sum + t.rows, 0) - creates.length;

  await insertProspects(ctx, creates, companyIds.byKey);
  await updateProspects(ctx, updates, companyIds.byKey);
  const contactPointIds = await ensureContactPoints(ctx, rows, existing.contactPoints);
  await linkContactPoints(ctx, targets, contactPointIds);
  return outcome;
}

/** Serializes the writes that match rows to existing prospects, across API processes. */
export async function lockOrganizationWrites(ctx: Ctx): Promise<void> {
  await ctx.db.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tiede:prospects:' || ${ctx.orgId}::text))`);
}

function companySignature(c: CompanyDraft): string {
  return JSON.stringify(c);
}

async function upsertCompanies(
  ctx: Ctx,
  rows: ProspectWrite[],
  session: WriteSession,
  outcome: BatchOutcome,
): Promise<{ byKey: Map<string, string>; inserted: Set<string> }> {
  const byKey = new Map<string, string>();
  const inserted = new Set<string>();
  const merged = new Map<string, CompanyDraft & { dedupeKey: string }>();
  for (const row of rows) {
    if (!row.company) continue;
    const previous = merged.get(row.company.dedupeKey);
    merged.set(row.company.dedupeKey, previous ? mergeDrafts(previous, row.company) : row.company);
  }
  const pending: (CompanyDraft & { dedupeKey: string })[] = [];
  for (const [key, company] of merged) {
    const known = session.companies.get(key);
    if (known && known.signature === companySignature(company)) byKey.set(key, known.id);
    else pending.push(company);
  }
  if (pending.length === 0) return { byKey, inserted };
  const col = <K extends keyof CompanyDraft>(k: K) => nulls(pending.map((c) => c[k]));
  const result = await queryRows<{ id: string; dedupe_key: string; inserted: boolean }>(
    ctx.db,
    sql`INSERT INTO companies AS c (id, org_id, name, registration_id, registration_scheme, industry_code, industry_scheme,
          industry_label, employee_count, employee_band, annual_revenue, revenue_currency, country, region, city,
          postal_code, domain, attributes, dedupe_key)
        SELECT u.id, ${ctx.orgId}::uuid, u.name, u.registration_id, u.registration_scheme, u.industry_code, u.industry_scheme,
          u.industry_label, u.employee_count, u.employee_band, u.annual_revenue, u.revenue_currency, u.country, u.region,
          u.city, u.postal_code, u.domain, u.attributes, u.dedupe_key
        FROM unnest(${p(pending.map(() => newId()))}::uuid[], ${p(col('name'))}::text[], ${p(col('registrationId'))}::text[],
          ${p(col('registrationScheme'))}::text[], ${p(col('industryCode'))}::text[], ${p(col('industryScheme'))}::text[],
          ${p(col('industryLabel'))}::text[], ${p(col('employeeCount'))}::int[], ${p(col('employeeBand'))}::text[],
          ${p(col('annualRevenue'))}::float8[], ${p(col('revenueCurrency'))}::text[], ${p(col('country'))}::text[],
          ${p(col('region'))}::text[], ${p(col('city'))}::text[], ${p(col('postalCode'))}::text[], ${p(col('domain'))}::text[],
          ${p(pending.map((c) => JSON.stringify(c.attributes)))}::text[]::jsonb[], ${p(pending.map((c) => c.dedupeKey))}::text[])
          AS u(id, name, registration_id, registration_scheme, industry_code, industry_scheme, industry_label, employee_count,
               employee_band, annual_revenue, revenue_currency, country, region, city, postal_code, domain, attributes, dedupe_key)
        ON CONFLICT (org_id, dedupe_key) DO UPDATE SET
          name = excluded.name,
          registration_id = coalesce(excluded.registration_id, c.registration_id),
          registration_scheme = coalesce(excluded.registration_scheme, c.registration_scheme),
          industry_code = coalesce(excluded.industry_code, c.industry_code),
          industry_scheme = coalesce(excluded.industry_scheme, c.industry_scheme),
          industry_label = coalesce(excluded.industry_label, c.industry_label),
          employee_count = coalesce(excluded.employee_count, c.employee_count),
          employee_band = coalesce(excluded.employee_band, c.employee_band),
          annual_revenue = coalesce(excluded.annual_revenue, c.annual_revenue),
          revenue_currency = coalesce(excluded.revenue_currency, c.revenue_currency),
          country = coalesce(excluded.country, c.country),
          region = coalesce(excluded.region, c.region),
          city = coalesce(excluded.city, c.city),
          postal_code = coalesce(excluded.postal_code, c.postal_code),
          domain = coalesce(excluded.domain, c.domain),
          attributes = c.attributes || excluded.attributes,
          updated_at = now()
        RETURNING c.id, c.dedupe_key, (c.xmax = 0) AS inserted`,
  );
  for (const row of result) {
    byKey.set(row.dedupe_key, row.id);
    session.companies.set(row.dedupe_key, {
      id: row.id,
      signature: companySignature(merged.get(row.dedupe_key)!),
    });
    if (row.inserted) {
      inserted.add(row.dedupe_key);
      outcome.companiesCreated++;
    } else outcome.companiesUpdated++;
  }
  // Bounded: a file of a million distinct companies must not keep them all.
  if (session.companies.size > 200_000) session.companies.clear();
  return { byKey, inserted };
}

interface ExistingProspect {
  id: string;
  firstName?: string;
  lastName?: string;
}

interface Existing {
  byExternalId: Map<string, ExistingProspect>;
  /** Contact point value → its id and the prospects it is linked to, oldest first. */
  contactPoints: Map<string, { id: string; prospects: ExistingProspect[] }>;
}

async function findExisting(ctx: Ctx, rows: ProspectWrite[]): Promise<Existing> {
  const externalIds = [
    ...new Set(rows.flatMap((r) => (r.prospect?.externalId ? [r.prospect.externalId] : []))),
  ];
  const values = [...new Set(rows.flatMap((r) => r.contactPoints.map((cp) => cp.value)))];
  const byExternalId = new Map<string, ExistingProspect>();
  const contactPoints = new Map<string, { id: string; prospects: ExistingProspect[] }>();
  if (externalIds.length > 0) {
    const found = await queryRows<{
      id: string;
      external_id: string;
      first_name: string | null;
      last_name: string | null;
    }>(
      ctx.db,
      sql`SELECT id, external_id, first_name, last_name FROM prospects
          WHERE org_id = ${ctx.orgId} AND external_id = ANY(${p(externalIds)}::text[])`,
    );
    for (const r of found) byExternalId.set(r.external_id, person(r));
  }
  if (values.length > 0) {
    const found = await queryRows<{
      cp_id: string;
      value: string;
      id: string | null;
      first_name: string | null;
      last_name: string | null;
    }>(
      ctx.db,
      sql`SELECT cp.id AS cp_id, cp.value, pr.id, pr.first_name, pr.last_name
          FROM contact_points cp
          LEFT JOIN prospect_contact_points l ON l.contact_point_id = cp.id
          LEFT JOIN prospects pr ON pr.id = l.prospect_id
          WHERE cp.org_id = ${ctx.orgId} AND cp.value = ANY(${p(values)}::text[])
          ORDER BY cp.value, pr.id`,
    );
    for (const r of found) {
      const entry = contactPoints.get(r.value) ?? { id: r.cp_id, prospects: [] };
      if (r.id) entry.prospects.push(person({ ...r, id: r.id }));
      contactPoints.set(r.value, entry);
    }
  }
  return { byExternalId, contactPoints };
}

function person(r: { id: string; first_name: string | null; last_name: string | null }): ExistingProspect {
  return {
    id: r.id,
    ...(r.first_name ? { firstName: r.first_name } : {}),
    ...(r.last_name ? { lastName: r.last_name } : {}),
  };
}

interface Target {
  id: string;
  isNew: boolean;
  /** The merged values of every row that landed on this prospect. */
  draft: ProspectDraft;
  companyKey?: string;
  contactPoints: ContactPointDraft[];
  /** How many rows of the batch point at it. */
  rows: number;
}

/**
 * Decides, row by row, which prospect each row is: the one with its CRM id, else the one with one of its
 * e-mails, else one with its phone whose name does not contradict, else a new one. Rows of the same batch
 * are matched against each other the same way.
 */
function assignTargets(rows: ProspectWrite[], existing: Existing): Target[] {
  const targets: Target[] = [];
  const byId = new Map<string, Target>();
  const byExternal = new Map<string, Target>();
  const byValue = new Map<string, Target[]>();

  const targetFor = (known: ExistingProspect): Target => {
    let target = byId.get(known.id);
    if (!target) {
      // Starts from the stored names, so that later phone matches in the batch compare against them.
      const { id, ...names } = known;
      target = { id, isNew: false, draft: { ...names, attributes: {} }, contactPoints: [], rows: 0 };
      byId.set(id, target);
      targets.push(target);
    }
    return target;
  };

  for (const row of rows) {
    const draft = row.prospect;
    if (!draft) continue;
    let target: Target | undefined;
    if (draft.externalId) {
      target = byExternal.get(draft.externalId);
      const known = existing.byExternalId.get(draft.externalId);
      if (!target && known) target = targetFor(known);
    }
    for (const channel of ['email', 'phone'] as const) {
      if (target) break;
      for (const cp of row.contactPoints) {
        if (cp.channel !== channel) continue;
        const accept = (candidate: Pick<ProspectDraft, 'firstName' | 'lastName'>) =>
          channel === 'email' || samePersonByName(candidate, draft);
        target = byValue.get(cp.value)?.find((t) => accept(t.draft));
        if (!target) {
          const known = existing.contactPoints.get(cp.value)?.prospects.find(accept);
          if (known) target = targetFor(known);
        }
        if (target) break;
      }
    }
    if (!target) {
      target = { id: newId(), isNew: true, draft: { attributes: {} }, contactPoints: [], rows: 0 };
      byId.set(target.id, target);
      targets.push(target);
    }
    target.rows++;
    target.draft = mergeDrafts(target.draft, draft);
    if (row.company) target.companyKey = row.company.dedupeKey;
    target.contactPoints.push(...row.contactPoints);
    if (draft.externalId && !byExternal.has(draft.externalId)) byExternal.set(draft.externalId, target);
    for (const cp of row.contactPoints) {
      const list = byValue.get(cp.value);
      if (!list) byValue.set(cp.value, [target]);
      else if (!list.includes(target)) list.push(target);
    }
  }
  return targets.filter((t) => t.rows > 0);
}

type Column = (t: Target) => unknown;

const PROSPECT_COLUMNS: [string, string, Column][] = [
  ['external_id', 'text', (t) => t.draft.externalId],
  ['first_name', 'text', (t) => t.draft.firstName],
  ['last_name', 'text', (t) => t.draft.lastName],
  ['job_title', 'text', (t) => t.draft.jobTitle],
  ['seniority', 'text', (t) => t.draft.seniority],
  ['department', 'text', (t) => t.draft.department],
  ['language', 'text', (t) => t.draft.language],
  ['country', 'text', (t) => t.draft.country],
  ['region', 'text', (t) => t.draft.region],
  ['city', 'text', (t) => t.draft.city],
  ['postal_code', 'text', (t) => t.draft.postalCode],
  ['time_zone', 'text', (t) => t.draft.timeZone],
];

function unnestColumns(targets: Target[], companyIds: Map<string, string>) {
  const arrays = PROSPECT_COLUMNS.map(
    ([, type, get]) => sql`${p(nulls(targets.map(get)))}::${sql.raw(type)}[]`,
  );
  return sql.join(
    [
      sql`${p(targets.map((t) => t.id))}::uuid[]`,
      sql`${p(targets.map((t) => (t.companyKey ? (companyIds.get(t.companyKey) ?? null) : null)))}::uuid[]`,
      sql`${p(targets.map((t) => t.draft.kind ?? null))}::text[]`,
      ...arrays,
      sql`${p(targets.map((t) => JSON.stringify(t.draft.attributes)))}::text[]::jsonb[]`,
    ],
    sql`, `,
  );
}

const COLUMN_LIST = sql.raw(
  ['id', 'company_id', 'kind', ...PROSPECT_COLUMNS.map(([n]) => n), 'attributes'].join(', '),
);

async function insertProspects(ctx: Ctx, targets: Target[], companyIds: Map<string, string>) {
  if (targets.length === 0) return;
  await ctx.db.execute(
    sql`INSERT INTO prospects (org_id, ${COLUMN_LIST})
        SELECT ${ctx.orgId}::uuid, u.id, u.company_id, coalesce(u.kind, CASE WHEN u.company_id IS NULL THEN 'b2c' ELSE 'b2b' END),
          ${sql.raw(PROSPECT_COLUMNS.map(([n]) => `u.${n}`).join(', '))}, u.attributes
        FROM unnest(${unnestColumns(targets, companyIds)}) AS u(${COLUMN_LIST})`,
  );
}

async function updateProspects(ctx: Ctx, targets: Target[], companyIds: Map<string, string>) {
  if (targets.length === 0) return;
  // Given values replace stored ones; absent values leave them; an existing CRM id is never overwritten.
  const sets = PROSPECT_COLUMNS.map(([n]) =>
    n === 'external_id'
      ? `external_id = coalesce(pr.external_id, u.external_id)`
      : `${n} = coalesce(u.${n}, pr.${n})`,
  ).join(', ');
  await ctx.db.execute(
    sql`UPDATE prospects AS pr SET company_id = coalesce(u.company_id, pr.company_id), kind = coalesce(u.kind, pr.kind),
          ${sql.raw(sets)}, attributes = pr.attributes || u.attributes, updated_at = now()
        FROM unnest(${unnestColumns(targets, companyIds)}) AS u(${COLUMN_LIST})
        WHERE pr.id = u.id AND pr.org_id = ${ctx.orgId}`,
  );
}

async function ensureContactPoints(
  ctx: Ctx,
  rows: ProspectWrite[],
  known: Existing['contactPoints'],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [value, entry] of known) ids.set(value, entry.id);
  const missing = new Map<string, ContactPointDraft>();
  for (const row of rows)
    for (const cp of row.contactPoints) if (!ids.has(cp.value)) missing.set(cp.value, cp);
  if (missing.size === 0) return ids;
  const drafts = [...missing.values()];
  const inserted = await queryRows<{ id: string; value: string }>(
    ctx.db,
    sql`INSERT INTO contact_points (id, org_id, channel, value, phone_type, country, domain)
        SELECT u.id, ${ctx.orgId}::uuid, u.channel, u.value, u.phone_type, u.country, u.domain
        FROM unnest(${p(drafts.map(() => newId()))}::uuid[], ${p(drafts.map((d) => d.channel))}::text[],
          ${p(drafts.map((d) => d.value))}::text[], ${p(nulls(drafts.map((d) => d.phoneType)))}::text[],
          ${p(nulls(drafts.map((d) => d.country)))}::text[], ${p(nulls(drafts.map((d) => d.domain)))}::text[])
          AS u(id, channel, value, phone_type, country, domain)
        ON CONFLICT (org_id, channel, value) DO NOTHING
        RETURNING id, value`,
  );
  for (const r of inserted) ids.set(r.value, r.id);
  // Created meanwhile by a request outside the import lock (a single API create): read them back.
  const raced = drafts.filter((d) => !ids.has(d.value)).map((d) => d.value);
  if (raced.length > 0) {
    const found = await queryRows<{ id: string; value: string }>(
      ctx.db,
      sql`SELECT id, value FROM contact_points WHERE org_id = ${ctx.orgId} AND value = ANY(${p(raced)}::text[])`,
    );
    for (const r of found) ids.set(r.value, r.id);
  }
  return ids;
}

async function linkContactPoints(ctx: Ctx, targets: Target[], ids: Map<string, string>) {
  const prospectIds: string[] = [];
  const contactPointIds: string[] = [];
  const labels: (string | null)[] = [];
  for (const target of targets) {
    const seen = new Set<string>();
    for (const cp of target.contactPoints) {
      const id = ids.get(cp.value);
      if (!id || seen.has(id)) continue;
      seen.add(id);
      prospectIds.push(target.id);
      contactPointIds.push(id);
      labels.push(cp.label ?? null);
    }
  }
  if (prospectIds.length === 0) return;
  await ctx.db.execute(
    sql`INSERT INTO prospect_contact_points (org_id, prospect_id, contact_point_id, label)
        SELECT ${ctx.orgId}::uuid, u.prospect_id, u.contact_point_id, u.label
        FROM unnest(${p(prospectIds)}::uuid[], ${p(contactPointIds)}::uuid[], ${p(labels)}::text[])
          AS u(prospect_id, contact_point_id, label)
        ON CONFLICT DO NOTHING`,
  );
}
