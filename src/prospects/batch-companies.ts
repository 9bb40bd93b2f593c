import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { newId } from '../lib/ids';
import { wideDigest } from '../lib/key-digests';
import { type CompanyDraft, companyNameKey } from './drafts';
import { mergeDrafts } from './merge';

export type KeyedCompany = CompanyDraft & {
  dedupeKey: string;
  /** What the draft was read from (an import's company cells): equal signatures, equal drafts. */
  signature?: string;
};

/** Companies already written by this import, by dedupe key, so that repeats cost nothing. */
export type CompanyCache = Map<string, { id: string; signature: number }>;

export interface CompanyUpsert {
  /** dedupe key → company id, for every company of the batch. */
  ids: Map<string, string>;
  inserted: Set<string>;
  /** Dedupe keys of the companies that existed and whose values the batch changed: their people are rescored. */
  changed: Set<string>;
  created: number;
  /** Companies that existed and changed; those the batch left as they were are not counted. */
  updated: number;
}

/** A company's values as one fingerprint, to tell an update that changed something from one that did not. */
const VALUES_OF = (table: string) =>
  sql.raw(
    `md5(row(${[
      'name',
      'registration_id',
      'registration_scheme',
      'industry_code',
      'industry_scheme',
      'industry_label',
      'employee_count',
      'employee_band',
      'annual_revenue',
      'revenue_currency',
      'country',
      'region',
      'city',
      'postal_code',
      'domain',
      'attributes',
    ]
      .map((c) => `${table}.${c}`)
      .join(', ')})::text)`,
  );

/** Bounded: a file of a million distinct companies must not keep them all. */
const CACHE_LIMIT = 100_000;

/** Which of these company ids still exist. */
async function existingCompanies(ctx: Ctx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    ctx.db,
    sql`SELECT id FROM companies WHERE org_id = ${ctx.orgId} AND id = ANY(${sql.param(ids)}::uuid[])`,
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Upserts the companies of a batch by dedupe key: given values replace stored ones, absent values leave
 * them, attributes merge. A company seen earlier in the same import with the same values is skipped.
 */
export async function upsertCompanies(
  ctx: Ctx,
  companies: KeyedCompany[],
  cache: CompanyCache,
): Promise<CompanyUpsert> {
  const result: CompanyUpsert = {
    ids: new Map(),
    inserted: new Set(),
    changed: new Set(),
    created: 0,
    updated: 0,
  };
  const merged = new Map<string, KeyedCompany>();
  for (const company of companies) {
    const previous = merged.get(company.dedupeKey);
    if (!previous) merged.set(company.dedupeKey, company);
    else if (previous.signature === undefined || previous.signature !== company.signature) {
      const signature =
        previous.signature && company.signature
          ? `${previous.signature}\u0000${company.signature}`
          : undefined;
      merged.set(company.dedupeKey, { ...mergeDrafts(previous, company), signature });
    }
  }
  const pending: { company: KeyedCompany; signature: number }[] = [];
  const cached: { key: string; id: string; company: KeyedCompany; signature: number }[] = [];
  for (const [key, { signature: read, ...company }] of merged) {
    // A 52-bit digest: the cache holds up to CACHE_LIMIT companies in the import's heap.
    const signature = wideDigest(read ?? JSON.stringify(company));
    const known = cache.get(key);
    if (known?.signature === signature) cached.push({ key, id: known.id, company, signature });
    else pending.push({ company, signature });
  }
  // A company deleted since an earlier batch (DELETE /v1/companies between two) is written again, not
  // given to people by an id that no longer exists.
  const alive = await existingCompanies(
    ctx,
    cached.map((c) => c.id),
  );
  for (const entry of cached) {
    if (alive.has(entry.id)) result.ids.set(entry.key, entry.id);
    else {
      cache.delete(entry.key);
      pending.push({ company: entry.company, signature: entry.signature });
    }
  }
  if (pending.length === 0) return result;
  const before = new Map(
    (
      await queryRows<{ dedupe_key: string; values: string }>(
        ctx.db,
        sql`SELECT c.dedupe_key, ${VALUES_OF('c')} AS values FROM companies c
            WHERE c.org_id = ${ctx.orgId} AND c.dedupe_key = ANY(${sql.param(pending.map((p) => p.company.dedupeKey))}::text[])`,
      )
    ).map((r) => [r.dedupe_key, r.values]),
  );
  const aliases = await findUnder(
    ctx,
    pending.map((p) => p.company),
    before,
  );
  // Rows that turned out to name one company are written as one.
  const groups = new Map<string, { company: KeyedCompany; keys: string[] }>();
  for (const { company } of pending) {
    const key = aliases.get(company.dedupeKey) ?? company.dedupeKey;
    const group = groups.get(key);
    if (group) {
      group.company = { ...mergeDrafts(group.company, company), dedupeKey: key };
      group.keys.push(company.dedupeKey);
    } else groups.set(key, { company: { ...company, dedupeKey: key }, keys: [company.dedupeKey] });
  }
  const payload = JSON.stringify(
    [...groups.values()].map(({ company: c }) => ({
      id: newId(),
      name: c.name,
      registration_id: c.registrationId,
      registration_scheme: c.registrationScheme,
      industry_code: c.industryCode,
      industry_scheme: c.industryScheme,
      industry_label: c.industryLabel,
      employee_count: c.employeeCount,
      employee_band: c.employeeBand,
      annual_revenue: c.annualRevenue,
      revenue_currency: c.revenueCurrency,
      country: c.country,
      region: c.region,
      city: c.city,
      postal_code: c.postalCode,
      domain: c.domain,
      attributes: c.attributes,
      dedupe_key: c.dedupeKey,
      name_key: companyNameKey(c.name),
    })),
  );
  const rows = await queryRows<{ id: string; dedupe_key: string; inserted: boolean; values: string }>(
    ctx.db,
    sql`INSERT INTO companies AS c (org_id, id, name, registration_id, registration_scheme, industry_code, industry_scheme,
          industry_label, employee_count, employee_band, annual_revenue, revenue_currency, country, region, city,
          postal_code, domain, attributes, dedupe_key, name_key)
        SELECT ${ctx.orgId}::uuid, u.id, u.name, u.registration_id, u.registration_scheme, u.industry_code, u.industry_scheme,
          u.industry_label, u.employee_count, u.employee_band, u.annual_revenue, u.revenue_currency, u.country, u.region,
          u.city, u.postal_code, u.domain, coalesce(u.attributes, '{}'::jsonb), u.dedupe_key, u.name_key
        FROM json_to_recordset(${payload}::json) AS u(id uuid, name text, registration_id text, registration_scheme text,
          industry_code text, industry_scheme text, industry_label text, employee_count int, employee_band text,
          annual_revenue float8, revenue_currency text, country text, region text, city text, postal_code text, domain text,
          attributes jsonb, dedupe_key text, name_key text)
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
          name_key = excluded.name_key,
          updated_at = now()
        RETURNING c.id, c.dedupe_key, (c.xmax = 0) AS inserted, ${VALUES_OF('c')} AS values`,
  );
  const signatures = new Map(pending.map((p) => [p.company.dedupeKey, p.signature]));
  if (cache.size + rows.length > CACHE_LIMIT) cache.clear();
  for (const row of rows) {
    const changed = !row.inserted && before.get(row.dedupe_key) !== row.values;
    if (row.inserted) result.created++;
    else if (changed) result.updated++;
    // Callers know the company by the keys their rows gave it.
    for (const key of groups.get(row.dedupe_key)!.keys) {
      result.ids.set(key, row.id);
      cache.set(key, { id: row.id, signature: signatures.get(key)! });
      if (row.inserted) result.inserted.add(key);
      else if (changed) result.changed.add(key);
    }
  }
  return result;
}

/**
 * The stored companies a row's company may be, by name: the same name without its legal form, in a
 * compatible country (the same, or either unknown). The import writes to the one there is, if one.
 */
export function sameNamed<T extends { name_key: string | null; country: string | null }>(
  stored: T[],
  company: Pick<KeyedCompany, 'name' | 'country'>,
): T[] {
  const name = companyNameKey(company.name);
  return stored.filter(
    (k) => k.name_key === name && (!k.country || !company.country || k.country === company.country),
  );
}

/**
 * Companies that rows name by a key nobody has, found under another: the one company of the same name
 * (without its legal form) in a compatible country (the same, or either unknown) is theirs, if there is
 * exactly one. A row with a registration id first takes over such a company that has none: its key
 * becomes the row's, and the batch's rows that named it by its old key follow it. A row without one is
 * then written to the company under the key it has. Answers row key → company key; `before` learns the
 * values of the companies found.
 */
async function findUnder(
  ctx: Ctx,
  pending: KeyedCompany[],
  before: Map<string, string>,
): Promise<Map<string, string>> {
  const aliases = new Map<string, string>();
  const unknown = pending.filter((c) => !before.has(c.dedupeKey));
  if (unknown.length === 0) return aliases;
  const names = [...new Set(unknown.map((c) => companyNameKey(c.name)))];
  const candidates = await queryRows<{
    id: string;
    dedupe_key: string;
    name_key: string;
    registration_id: string | null;
    country: string | null;
    values: string;
  }>(
    ctx.db,
    sql`SELECT c.id, c.dedupe_key, c.name_key, c.registration_id, c.country, ${VALUES_OF('c')} AS values
        FROM companies c WHERE c.org_id = ${ctx.orgId} AND c.name_key = ANY(${sql.param(names)}::text[])`,
  );
  const fitting = (company: KeyedCompany) => sameNamed(candidates, company);
  const renamed = new Map<string, string>();
  for (const company of unknown) {
    if (!company.registrationId) continue;
    const fits = fitting(company).filter((k) => k.registration_id === null);
    if (fits.length !== 1) continue;
    const found = fits[0]!;
    // Guarded, so that an import racing this one cannot have given it a registration id meanwhile.
    const moved = await queryRows(
      ctx.db,
      sql`UPDATE companies SET dedupe_key = ${company.dedupeKey}
          WHERE org_id = ${ctx.orgId} AND id = ${found.id} AND registration_id IS NULL
            AND dedupe_key = ${found.dedupe_key} RETURNING id`,
    );
    if (moved.length === 0) continue;
    renamed.set(found.dedupe_key, company.dedupeKey);
    before.set(company.dedupeKey, found.values);
    found.dedupe_key = company.dedupeKey;
    found.registration_id = company.registrationId;
  }
  for (const company of unknown) {
    if (company.registrationId) continue;
    const fits = fitting(company);
    if (fits.length !== 1) continue;
    aliases.set(company.dedupeKey, fits[0]!.dedupe_key);
    if (!before.has(fits[0]!.dedupe_key)) before.set(fits[0]!.dedupe_key, fits[0]!.values);
  }
  for (const company of pending)
    if (renamed.has(company.dedupeKey)) aliases.set(company.dedupeKey, renamed.get(company.dedupeKey)!);
  // New to the organization, and named in this batch more precisely by another row (with a SIREN or a
  // country): that row's company, if all such rows name one.
  const byName = new Map<string, KeyedCompany[]>();
  for (const other of pending) {
    const name = companyNameKey(other.name);
    byName.set(name, [...(byName.get(name) ?? []), other]);
  }
  // Decided for all rows from the aliases above, then applied, so that the rows' order does not matter.
  const proposed = new Map<string, string>();
  for (const company of unknown) {
    // A name the organization already has under several keys stays ambiguous: no guess from the batch.
    if (company.registrationId || aliases.has(company.dedupeKey) || fitting(company).length > 0) continue;
    const targets = new Set(
      (byName.get(companyNameKey(company.name)) ?? [])
        .filter(
          (other) =>
            other.dedupeKey !== company.dedupeKey &&
            (other.registrationId || (other.country && !company.country)) &&
            (!other.country || !company.country || other.country === company.country),
        )
        .map((other) => aliases.get(other.dedupeKey) ?? other.dedupeKey),
    );
    if (targets.size === 1) proposed.set(company.dedupeKey, [...targets][0]!);
  }
  for (const [key, target] of proposed) aliases.set(key, proposed.get(target) ?? target);
  return aliases;
}
