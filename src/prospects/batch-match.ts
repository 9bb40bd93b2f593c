import { sql } from 'drizzle-orm';
import type { ContactPointLink } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { newId } from '../lib/ids';
import { type KeyedCompany, sameNamed } from './batch-companies';
import type { ProspectWrite } from './batch-write';
import { contactPointId } from './contact-points';
import { type ContactPointDraft, companyNameKey, type ProspectDraft } from './drafts';
import { foldName, mergeDrafts, samePersonByName } from './merge';

/**
 * Which prospect each row of an import batch is: the prospects and contact points its rows could name,
 * read in a few statements (findExisting), then the rows matched to them and to each other (assignTargets).
 * The rows known by their names alone that several people at their company answer to are found beforehand
 * (ambiguousNames): an import refuses them.
 */

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

export async function findExisting(
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

export interface Target {
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
export function assignTargets(
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
