import { and, eq, sql } from 'drizzle-orm';
import {
  type Attributes,
  companies,
  interactions,
  organizations,
  type Prospect,
  prospects,
} from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import { AppError, type FieldError, invalid, notFound } from '../http/errors';
import { forgetScores, queueScoring } from '../scoring/queue';
import { lockOrganizationWrites } from './batch-write';
import { mergeAttributes } from './companies';
import {
  attachContactPoints,
  type ContactPointInput,
  normalizeContactPoints,
  releaseContactPoints,
} from './contact-points';
import { normalizeCountry, normalizeLanguage, normalizeTimeZone } from './locale';
import { samePersonByName } from './merge';
import { getProspectDetail, getProspectRow } from './prospect-detail';

export interface ProspectInput {
  companyId?: string | null;
  externalId?: string | null;
  kind?: 'b2b' | 'b2c';
  firstName?: string | null;
  lastName?: string | null;
  jobTitle?: string | null;
  seniority?: string | null;
  department?: string | null;
  language?: string | null;
  country?: string | null;
  region?: string | null;
  city?: string | null;
  postalCode?: string | null;
  timeZone?: string | null;
  attributes?: Attributes;
}

const PLAIN_FIELDS = [
  'externalId',
  'firstName',
  'lastName',
  'jobTitle',
  'seniority',
  'department',
  'region',
  'city',
  'postalCode',
] as const;

function normalizeProspectInput(input: ProspectInput, errors: FieldError[]): Partial<Prospect> {
  const out: Partial<Prospect> = {};
  for (const key of PLAIN_FIELDS) if (input[key] !== undefined) out[key] = input[key] ?? null;
  if (input.kind !== undefined) out.kind = input.kind;
  if (input.companyId !== undefined) out.companyId = input.companyId;
  if (input.country !== undefined) {
    const country = input.country === null ? null : normalizeCountry(input.country);
    if (country === undefined)
      errors.push({ field: 'country', message: `"${input.country}" is not a country` });
    else out.country = country;
  }
  if (input.language !== undefined) {
    const language = input.language === null ? null : normalizeLanguage(input.language);
    if (language === undefined)
      errors.push({ field: 'language', message: `"${input.language}" is not a language code such as fr` });
    else out.language = language;
  }
  if (input.timeZone !== undefined) {
    const zone = input.timeZone === null ? null : normalizeTimeZone(input.timeZone);
    if (zone === undefined)
      errors.push({
        field: 'timeZone',
        message: `"${input.timeZone}" is not an IANA zone such as Europe/Paris`,
      });
    else out.timeZone = zone;
  }
  return out;
}

async function companyCountry(ctx: Ctx, companyId: string | null | undefined, errors: FieldError[]) {
  if (!companyId) return undefined;
  const [company] = await ctx.db
    .select({ country: companies.country })
    .from(companies)
    .where(and(eq(companies.orgId, ctx.orgId), eq(companies.id, companyId)));
  if (!company) errors.push({ field: 'companyId', message: `no company ${companyId}` });
  return company?.country ?? undefined;
}

async function orgCountry(ctx: Ctx): Promise<string> {
  const [org] = await ctx.db
    .select({ c: organizations.defaultCountry })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId));
  return org?.c ?? 'FR';
}

async function assertExternalIdFree(ctx: Ctx, externalId: string | null | undefined, except?: string) {
  if (!externalId) return;
  const [row] = await ctx.db
    .select({ id: prospects.id })
    .from(prospects)
    .where(and(eq(prospects.orgId, ctx.orgId), eq(prospects.externalId, externalId)));
  if (row && row.id !== except) {
    throw new AppError('CONFLICT', `another prospect already has the CRM id "${externalId}"`, {
      extra: { existingId: row.id },
    });
  }
}

/** A first and a last name, in their fields or together in one ("Paul Lefèvre"). */
const fullyNamed = (p: { firstName?: string | undefined; lastName?: string | undefined }) =>
  Boolean(p.firstName && p.lastName) || /\S\s+\S/.test((p.lastName ?? p.firstName ?? '').trim());

/**
 * Refuses a second record of a person the organization has: someone of the same names (accents and case
 * aside, or the whole name in one field) who already has one of the given e-mails, or one of the given
 * numbers when both records give a first and a last name. A number alone is often a switchboard, and an
 * address alone a shared mailbox (`contact@`): records with other names, or without names, may share
 * them, and so may records named only "Accueil" or "Dupont" on a number.
 */
async function assertNotKnown(
  ctx: Ctx,
  names: { firstName?: string | null; lastName?: string | null },
  /** The e-mails and numbers the record will have: given, or those of a record whose names change. */
  points: { drafts: { channel: string; value: string }[] } | { of: string },
  /** The record itself, when it exists. */
  except?: string,
) {
  if (('drafts' in points && points.drafts.length === 0) || (!names.firstName && !names.lastName)) return;
  const which =
    'drafts' in points
      ? sql`(cp.channel, cp.value) IN (SELECT * FROM unnest(${sql.param(points.drafts.map((d) => d.channel))}::text[],
                                                           ${sql.param(points.drafts.map((d) => d.value))}::text[]))`
      : sql`cp.id IN (SELECT (e->>'id')::uuid FROM prospects o, jsonb_array_elements(o.contact_points) e
                      WHERE o.org_id = ${ctx.orgId} AND o.id = ${points.of})`;
  const holders = await queryRows<{
    id: string;
    first_name: string | null;
    last_name: string | null;
    channel: string;
  }>(
    ctx.db,
    sql`SELECT p.id, p.first_name, p.last_name, cp.channel FROM contact_points cp
        JOIN prospects p ON p.org_id = cp.org_id AND p.id = ANY(cp.prospect_ids)
        WHERE cp.org_id = ${ctx.orgId} AND ${which}
          ${except ? sql`AND p.id <> ${except}` : sql``}`,
  );
  const given = { firstName: names.firstName ?? undefined, lastName: names.lastName ?? undefined };
  const same = holders.find((h) => {
    const held = { firstName: h.first_name ?? undefined, lastName: h.last_name ?? undefined };
    if (!held.firstName && !held.lastName) return false;
    if (h.channel === 'phone' && !(fullyNamed(held) && fullyNamed(given))) return false;
    return samePersonByName(held, given);
  });
  if (same)
    throw new AppError(
      'CONFLICT',
      `a prospect of these names already has this ${same.channel === 'email' ? 'e-mail' : 'number'}: change that one (PATCH), or give another name`,
      { extra: { existingId: same.id } },
    );
}

export async function createProspect(
  ctx: Ctx,
  input: ProspectInput & { contactPoints?: ContactPointInput[] },
) {
  return withTransaction(ctx, async (tx) => {
    await lockOrganizationWrites(tx);
    const errors: FieldError[] = [];
    const values = normalizeProspectInput(input, errors);
    const fromCompany = await companyCountry(tx, input.companyId, errors);
    const country = values.country ?? fromCompany ?? (await orgCountry(tx));
    const drafts = normalizeContactPoints(input.contactPoints ?? [], country, errors);
    if (errors.length > 0) throw invalid('the prospect is not valid', errors);
    await assertExternalIdFree(tx, values.externalId);
    await assertNotKnown(tx, values, { drafts });
    const [row] = await tx.db
      .insert(prospects)
      .values({
        ...values,
        orgId: tx.orgId,
        kind: values.kind ?? (values.companyId ? 'b2b' : 'b2c'),
        attributes: input.attributes ?? {},
      })
      .returning();
    await attachContactPoints(tx, row!.id, drafts);
    await queueScoring(tx, [row!.id]);
    return getProspectDetail(tx, row!.id);
  });
}

export async function updateProspect(ctx: Ctx, id: string, input: ProspectInput) {
  return withTransaction(ctx, async (tx) => {
    // Under the organization's write lock, as imports write: two records given one CRM id at once are a
    // 409 for the second, not a unique violation.
    await lockOrganizationWrites(tx);
    const current = await getProspectRow(tx, id);
    const errors: FieldError[] = [];
    const values = normalizeProspectInput(input, errors);
    await companyCountry(tx, input.companyId, errors);
    if (errors.length > 0) throw invalid('the prospect is not valid', errors);
    await assertExternalIdFree(tx, values.externalId, id);
    if (values.firstName !== undefined || values.lastName !== undefined)
      await assertNotKnown(
        tx,
        {
          firstName: values.firstName === undefined ? current.firstName : values.firstName,
          lastName: values.lastName === undefined ? current.lastName : values.lastName,
        },
        { of: id },
        id,
      );
    await tx.db
      .update(prospects)
      .set({
        ...values,
        attributes: mergeAttributes(current.attributes, input.attributes),
        updatedAt: new Date(),
      })
      .where(and(eq(prospects.orgId, tx.orgId), eq(prospects.id, id)));
    await queueScoring(tx, [id]);
    return getProspectDetail(tx, id);
  });
}

/** Deletes a prospect with its links to contact points and its interactions (no foreign keys do it). */
export async function deleteProspect(ctx: Ctx, id: string): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    // Not while an import's batch writes: it would link the person's numbers again after this.
    await lockOrganizationWrites(tx);
    const rows = await tx.db
      .delete(prospects)
      .where(and(eq(prospects.orgId, tx.orgId), eq(prospects.id, id)))
      .returning({ id: prospects.id, contactPoints: prospects.contactPoints });
    if (rows.length === 0) throw notFound('Prospect');
    await releaseContactPoints(
      tx,
      id,
      rows[0]!.contactPoints.map((l) => l.id),
    );
    await tx.db
      .delete(interactions)
      .where(and(eq(interactions.orgId, tx.orgId), eq(interactions.prospectId, id)));
    await forgetScores(tx, id);
  });
}

/** Adds a phone or e-mail to a prospect, sharing it when the organization already has it. */
export async function addContactPoint(ctx: Ctx, prospectId: string, input: ContactPointInput) {
  return withTransaction(ctx, async (tx) => {
    // attachContactPoints rewrites a number's list of people from what it read: writers of contact points
    // take turns (an import running meanwhile failed, and links were lost).
    await lockOrganizationWrites(tx);
    const prospect = await getProspectRow(tx, prospectId);
    const errors: FieldError[] = [];
    const country = prospect.country ?? (await orgCountry(tx));
    const drafts = normalizeContactPoints([input], country, errors);
    if (errors.length > 0)
      throw invalid(
        'the contact point is not valid',
        errors.map((e) => ({ ...e, field: 'value' })),
      );
    await assertNotKnown(tx, prospect, { drafts }, prospectId);
    await attachContactPoints(tx, prospectId, drafts);
    return getProspectDetail(tx, prospectId);
  });
}
