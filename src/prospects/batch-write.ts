import { sql } from 'drizzle-orm';
import type { ContactPointLink } from '../../db/schema';
import type { Ctx } from '../context';
import { copyInto, queryRows } from '../db';
import { newId } from '../lib/ids';
import { queueCompanyPeople, queueScoring } from '../scoring/queue';
import {
  type CompanyCache,
  type CompanyUpsert,
  type KeyedCompany,
  sameNamed,
  upsertCompanies,
} from './batch-companies';
import { contactPointId } from './contact-points';
import { CONTACT_POINT_COPY_COLUMNS, PROSPECT_COPY_COLUMNS } from './copy-columns';
import { type ContactPointDraft, companyNameKey, type ProspectDraft } from './drafts';
import { foldName, mergeDrafts, samePersonByName } from './merge';

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

interface ExistingProspect {
  id: string;
  externalId?: string;
  firstName?: string;
  lastName?: string;
  contactPoints: ContactPointLink[];
}

interface Existing {
  byExternalId: Map<string, ExistingProspect>;
  byId: Map<string, ExistingProspect>;
  /** People at a company by their names (nameAtCompany), for rows that name nothing else. */
  byNameAtCompany: Map<string, ExistingProspect[]>;
  /** Contact point id → the prospects it lists, oldest first. */
  contactPoints: Map<string, string[]>;
}

interface ProspectRow {
  id: string;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  contact_points: ContactPointLink[];
}

const p = sql.param;

/**
 * A row with no CRM id, e-mail or phone (a LinkedIn connection) is known by its names at its company:
 * the key those give, or undefined when the row has another key or lacks one of them.
 */
function nameAtCompany(
  row: { prospect?: ProspectDraft; contactPoints: unknown[] },
  companyId: string | undefined,
): string | undefined {
  const p = row.prospect;
  if (!p || p.externalId || row.contactPoints.length > 0 || !companyId || !p.lastName) return undefined;
  return nameKey(companyId, p.firstName ?? null, p.lastName);
}
const nameKey = (companyId: string, firstName: string | null, lastName: string | null) =>
  `${companyId}|${foldName(firstName ?? '')}|${foldName(lastName ?? '')}`;

/**
 * The rows known only by their names at a company (nameAtCompany) that name several people there: the
 * row cannot say which, so it is refused rather than added as one more of them on every import.
 */
export async function ambiguousNames(
  ctx: Ctx,
  rows: ProspectWrite[],
): Promise<{ row: ProspectWrite; count: number }[]> {
  const named = rows.filter((r) => r.company && nameAtCompany(r, r.company.dedupeKey));
  if (named.length === 0) return [];
  // Their companies as the writer will find them: by key, else the one of that name (upsertCompanies).
  const companies = await queryRows<{
    id: string;
    dedupe_key: string;
    name_key: string | null;
    country: string | null;
  }>(
    ctx.db,
    sql`SELECT id, dedupe_key, name_key, country FROM companies
        WHERE org_id = ${ctx.orgId}
          AND (dedupe_key = ANY(${p([...new Set(named.map((r) => r.company!.dedupeKey))])}::text[])
            OR name_key = ANY(${p([...new Set(named.map((r) => companyNameKey(r.company!.name)))])}::text[]))`,
  );
  const companyOf = (company: KeyedCompany) => {
    const exact = companies.find((c) => c.dedupe_key === company.dedupeKey);
    if (exact) return exact.id;
    const fits = sameNamed(companies, company);
    return fits.length === 1 ? fits[0]!.id : undefined;
  };
  const placed = named.flatMap((row) => {
    const id = companyOf(row.company!);
    return id ? [{ row, key: nameAtCompany(row, id)! }] : [];
  });
  if (placed.length === 0) return [];
  const people = await queryRows<{ company_id: string; first_name: string | null; last_name: string | null }>(
    ctx.db,
    // Every person at those companies: names compare by nameKey, accents and case aside, which SQL cannot.
    sql`SELECT company_id, first_name, last_name FROM prospects
        WHERE org_id = ${ctx.orgId} AND last_name IS NOT NULL
          AND company_id = ANY(${p([...new Set(placed.map((x) => x.key.split('|')[0]!))])}::uuid[])`,
  );
  const counts = new Map<string, number>();
  for (const person of people) {
    const key = nameKey(person.company_id, person.first_name, person.last_name);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return placed.flatMap(({ row, key }) => {
    const count = counts.get(key) ?? 0;
    return count > 1 ? [{ row, count }] : [];
  });
}

async function findExisting(
  ctx: Ctx,
  rows: ProspectWrite[],
  companyIds: Map<string, string>,
): Promise<Existing> {
  const existing: Existing = {
    byExternalId: new Map(),
    byId: new Map(),
    byNameAtCompany: new Map(),
    contactPoints: new Map(),
  };
  const named = rows.filter((r) => nameAtCompany(r, r.company && companyIds.get(r.company.dedupeKey)));
  if (named.length > 0) {
    const people = await queryRows<ProspectRow & { company_id: string }>(
      ctx.db,
      // As in ambiguousNames: the names are compared here, by nameKey, accents and case aside.
      sql`SELECT id, external_id, first_name, last_name, contact_points, company_id FROM prospects
          WHERE org_id = ${ctx.orgId} AND last_name IS NOT NULL
            AND company_id = ANY(${p([...new Set(named.map((r) => companyIds.get(r.company!.dedupeKey)!))])}::uuid[])`,
    );
    for (const row of people) {
      const key = nameKey(row.company_id, row.first_name, row.last_name);
      const person = existingOf(row);
      existing.byNameAtCompany.set(key, [...(existing.byNameAtCompany.get(key) ?? []), person]);
    }
  }
  const externalIds = [
    ...new Set(rows.flatMap((r) => (r.prospect?.externalId ? [r.prospect.externalId] : []))),
  ];
  const ids = [
    ...new Set(
      rows.flatMap((r) =>
        r.contactPoints.map((cp) => cp.id ?? contactPointId(ctx.orgId, cp.channel, cp.value)),
      ),
    ),
  ];
  const found =
    ids.length === 0
      ? []
      : await queryRows<{ id: string; prospect_ids: string[] }>(
          ctx.db,
          sql`SELECT id, prospect_ids FROM contact_points WHERE org_id = ${ctx.orgId} AND id = ANY(${p(ids)}::uuid[])`,
        );
  for (const row of found) existing.contactPoints.set(row.id, [...row.prospect_ids].sort());
  const prospectIds = [...new Set(found.flatMap((r) => r.prospect_ids))];
  if (prospectIds.length === 0 && externalIds.length === 0) return existing;
  const people = await queryRows<ProspectRow>(
    ctx.db,
    sql`SELECT id, external_id, first_name, last_name, contact_points FROM prospects
        WHERE org_id = ${ctx.orgId} AND (id = ANY(${p(prospectIds)}::uuid[]) OR external_id = ANY(${p(externalIds)}::text[]))`,
  );
  for (const row of people) {
    const person = existingOf(row);
    existing.byId.set(row.id, person);
    if (row.external_id) existing.byExternalId.set(row.external_id, person);
  }
  return existing;
}

function existingOf(row: ProspectRow): ExistingProspect {
  return {
    id: row.id,
    contactPoints: row.contact_points,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    ...(row.first_name ? { firstName: row.first_name } : {}),
    ...(row.last_name ? { lastName: row.last_name } : {}),
  };
}

interface Target {
  id: string;
  isNew: boolean;
  /** The merged values of every row that landed on this prospect. */
  draft: ProspectDraft;
  companyKey?: string;
  /** Its contact points: those it had, then the new ones, each once. */
  links: ContactPointLink[];
  /** The drafts of the contact points the rows brought, by id. */
  drafts: Map<string, ContactPointDraft>;
  /** How many rows of the batch point at it. */
  rows: number;
}

/**
 * Decides, row by row, which prospect each row is: the one with its CRM id, else one with one of its
 * e-mails, else one with its phone, whose names do not contradict the row's (a shared phone is often a
 * switchboard, a shared address a mailbox), else a new one; a prospect with another CRM id is never the row's. Rows of the same batch
 * are matched against each other the same way.
 */
function assignTargets(
  orgId: string,
  rows: ProspectWrite[],
  existing: Existing,
  companyIds: Map<string, string>,
): Target[] {
  const targets: Target[] = [];
  const byId = new Map<string, Target>();
  const byExternal = new Map<string, Target>();
  const byContactPoint = new Map<string, Target[]>();
  const byName = new Map<string, Target>();

  const targetFor = (known: ExistingProspect): Target => {
    let target = byId.get(known.id);
    if (!target) {
      const draft: ProspectDraft = { attributes: {} };
      if (known.externalId) draft.externalId = known.externalId;
      if (known.firstName) draft.firstName = known.firstName;
      if (known.lastName) draft.lastName = known.lastName;
      target = {
        id: known.id,
        isNew: false,
        draft,
        links: [...known.contactPoints],
        drafts: new Map(),
        rows: 0,
      };
      byId.set(known.id, target);
      targets.push(target);
    }
    return target;
  };

  for (const row of rows) {
    const draft = row.prospect;
    if (!draft) continue;
    const ids = row.contactPoints.map((cp) => cp.id ?? contactPointId(orgId, cp.channel, cp.value));
    let target: Target | undefined;
    if (draft.externalId) {
      target = byExternal.get(draft.externalId);
      const known = existing.byExternalId.get(draft.externalId);
      if (!target && known) target = targetFor(known);
    }
    for (const channel of ['email', 'phone'] as const) {
      for (let i = 0; i < ids.length && !target; i++) {
        if (row.contactPoints[i]!.channel !== channel) continue;
        // Another CRM id is another person, whatever they share; so are other names, on a shared phone as
        // on a shared mailbox (standard@, contact@): the row is someone else at that number or address.
        const accept = (other: Pick<ProspectDraft, 'firstName' | 'lastName' | 'externalId'>) =>
          (!draft.externalId || !other.externalId || other.externalId === draft.externalId) &&
          samePersonByName(other, draft);
        target = byContactPoint.get(ids[i]!)?.find((t) => accept(t.draft));
        if (!target) {
          const known = (existing.contactPoints.get(ids[i]!) ?? [])
            .map((id) => existing.byId.get(id))
            .find((k) => k && accept(k));
          if (known) target = targetFor(known);
        }
      }
    }
    // Nothing but names at a company: the one person of those names there, if there is exactly one.
    const named = nameAtCompany(row, row.company && companyIds.get(row.company.dedupeKey));
    if (!target && named) {
      target = byName.get(named);
      const known = existing.byNameAtCompany.get(named);
      if (!target && known?.length === 1) target = targetFor(known[0]!);
    }
    if (!target) {
      target = { id: newId(), isNew: true, draft: { attributes: {} }, links: [], drafts: new Map(), rows: 0 };
      byId.set(target.id, target);
      targets.push(target);
    }
    target.rows++;
    target.draft = target.rows === 1 && target.isNew ? draft : mergeDrafts(target.draft, draft);
    if (row.company) target.companyKey = row.company.dedupeKey;
    row.contactPoints.forEach((cp, i) => {
      const id = ids[i]!;
      if (!target.links.some((l) => l.id === id)) target.links.push({ id, label: cp.label ?? null });
      target.drafts.set(id, cp);
      const list = byContactPoint.get(id);
      if (!list) byContactPoint.set(id, [target]);
      else if (!list.includes(target)) list.push(target);
    });
    if (draft.externalId && !byExternal.has(draft.externalId)) byExternal.set(draft.externalId, target);
    if (named && !byName.has(named)) byName.set(named, target);
  }
  return targets.filter((t) => t.rows > 0);
}

function prospectRecord(target: Target, companyIds: Map<string, string>) {
  const d = target.draft;
  return {
    id: target.id,
    company_id: target.companyKey ? companyIds.get(target.companyKey) : undefined,
    external_id: d.externalId,
    kind: d.kind,
    first_name: d.firstName,
    last_name: d.lastName,
    job_title: d.jobTitle,
    seniority: d.seniority,
    department: d.department,
    language: d.language,
    country: d.country,
    country_guess: d.countryGuess,
    region: d.region,
    city: d.city,
    postal_code: d.postalCode,
    time_zone: d.timeZone,
    attributes: d.attributes,
    contact_points: target.links,
  };
}

const RECORD =
  sql.raw(`id uuid, company_id uuid, external_id text, kind text, first_name text, last_name text, job_title text,
  seniority text, department text, language text, country text, country_guess text, region text, city text, postal_code text, time_zone text,
  attributes jsonb, contact_points jsonb`);

/** New prospects go in with COPY: nothing to merge, and COPY is several times cheaper than INSERT … SELECT. */
async function insertProspects(ctx: Ctx, targets: Target[], companyIds: Map<string, string>) {
  await copyInto(
    ctx.db,
    'prospects',
    PROSPECT_COPY_COLUMNS,
    targets.map((t) => {
      const d = t.draft;
      const companyId = t.companyKey ? companyIds.get(t.companyKey) : undefined;
      return [
        ctx.orgId,
        companyId,
        d.kind ?? (companyId ? 'b2b' : 'b2c'),
        t.id,
        d.externalId,
        d.firstName,
        d.lastName,
        d.jobTitle,
        d.seniority,
        d.department,
        d.language,
        d.country ?? d.countryGuess,
        d.region,
        d.city,
        d.postalCode,
        d.timeZone,
        d.attributes,
        JSON.stringify(t.links),
      ];
    }),
  );
}

/** The columns an import may change: those it copies new prospects with, but for their keys. */
const UPDATABLE = PROSPECT_COPY_COLUMNS.filter((c) => c !== 'org_id' && c !== 'id');
const columnsOf = (table: string) => sql.raw(UPDATABLE.map((c) => `${table}.${c}`).join(', '));

/**
 * Updates the prospects rows matched: given values replace stored ones; absent values leave them; an
 * existing CRM id is never overwritten. A prospect the rows change nothing of keeps its `updated_at`.
 * Answers the ids of those that changed.
 */
async function updateProspects(
  ctx: Ctx,
  targets: Target[],
  companyIds: Map<string, string>,
): Promise<Set<string>> {
  if (targets.length === 0) return new Set();
  const payload = JSON.stringify(targets.map((t) => prospectRecord(t, companyIds)));
  const rows = await queryRows<{ id: string }>(
    ctx.db,
    sql`WITH n AS (
          SELECT pr.id, coalesce(u.company_id, pr.company_id) AS company_id, coalesce(u.kind, pr.kind) AS kind,
            coalesce(pr.external_id, u.external_id) AS external_id, coalesce(u.first_name, pr.first_name) AS first_name,
            coalesce(u.last_name, pr.last_name) AS last_name, coalesce(u.job_title, pr.job_title) AS job_title,
            coalesce(u.seniority, pr.seniority) AS seniority, coalesce(u.department, pr.department) AS department,
            coalesce(u.language, pr.language) AS language, coalesce(u.country, pr.country, u.country_guess) AS country,
            coalesce(u.region, pr.region) AS region, coalesce(u.city, pr.city) AS city,
            coalesce(u.postal_code, pr.postal_code) AS postal_code, coalesce(u.time_zone, pr.time_zone) AS time_zone,
            pr.attributes || coalesce(u.attributes, '{}'::jsonb) AS attributes, u.contact_points
          FROM json_to_recordset(${payload}::json) AS u(${RECORD})
          JOIN prospects pr ON pr.org_id = ${ctx.orgId} AND pr.id = u.id)
        UPDATE prospects AS pr SET (${sql.raw(UPDATABLE.join(', '))}, updated_at) = (${columnsOf('n')}, now())
        FROM n
        WHERE pr.org_id = ${ctx.orgId} AND pr.id = n.id AND (${columnsOf('pr')}) IS DISTINCT FROM (${columnsOf('n')})
        RETURNING pr.id`,
  );
  return new Set(rows.map((r) => r.id));
}

/** Creates the contact points the organization did not have, and adds the batch's prospects to the others. */
async function writeContactPoints(ctx: Ctx, targets: Target[], known: Map<string, string[]>) {
  const owners = new Map<string, Set<string>>();
  const drafts = new Map<string, ContactPointDraft>();
  for (const target of targets) {
    for (const [id, draft] of target.drafts) {
      drafts.set(id, draft);
      const set = owners.get(id) ?? new Set(known.get(id));
      set.add(target.id);
      owners.set(id, set);
    }
  }
  const created: unknown[][] = [];
  const grown: object[] = [];
  for (const [id, set] of owners) {
    const before = known.get(id);
    const prospectIds = [...set].sort();
    if (!before) {
      const d = drafts.get(id)!;
      created.push([ctx.orgId, id, d.channel, d.value, d.phoneType, d.country, d.domain, prospectIds]);
    } else if (prospectIds.length > before.length) grown.push({ id, prospect_ids: prospectIds });
  }
  // Under the organization's lock, what the lookup did not find does not exist: plain COPY, no conflicts.
  await copyInto(ctx.db, 'contact_points', CONTACT_POINT_COPY_COLUMNS, created);
  if (grown.length > 0) {
    await ctx.db.execute(
      sql`UPDATE contact_points AS cp SET prospect_ids = u.prospect_ids, updated_at = now()
          FROM json_to_recordset(${JSON.stringify(grown)}::json) AS u(id uuid, prospect_ids uuid[])
          WHERE cp.org_id = ${ctx.orgId} AND cp.id = u.id`,
    );
  }
}
