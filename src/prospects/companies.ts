import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import { type Attributes, companies, prospects } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { AppError, type FieldError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { queueCompanyPeople, queueScoring } from '../scoring/queue';
import { lockOrganizationWrites } from './batch-write';
import {
  countryOfRegistration,
  type IndustryScheme,
  industryFamily,
  normalizeDomain,
  parseIndustry,
  parseRegistration,
  type RegistrationScheme,
} from './company-values';
import { type CompanyDraft, companyDedupeKey, companyNameKey } from './drafts';
import { normalizeCountry } from './locale';
import { containsBare, escapeLike } from './search';

export interface CompanyInput {
  name?: string;
  registrationId?: string | null;
  registrationScheme?: RegistrationScheme | null;
  industryCode?: string | null;
  industryScheme?: IndustryScheme | null;
  industryLabel?: string | null;
  employeeCount?: number | null;
  employeeBand?: string | null;
  annualRevenue?: number | null;
  revenueCurrency?: string | null;
  country?: string | null;
  region?: string | null;
  city?: string | null;
  postalCode?: string | null;
  domain?: string | null;
  attributes?: Record<string, string | number | boolean | null>;
}

type CompanyRow = typeof companies.$inferSelect;

/** Normalizes what a caller sends; null clears a field, absent leaves it. */
export function normalizeCompanyInput(
  input: CompanyInput,
  errors: FieldError[],
  prefix = '',
  /** The country stored when a change does not give one: it decides how registration and industry codes read. */
  storedCountry: string | null = null,
): Partial<CompanyDraft> {
  const out: Record<string, unknown> = {};
  const f = (name: string) => `${prefix}${name}`;
  const given =
    input.country === undefined || input.country === null ? input.country : normalizeCountry(input.country);
  if (input.country && !given)
    errors.push({ field: f('country'), message: `"${input.country}" is not a country` });
  if (given !== undefined) out.country = given;
  let country = given === undefined ? storedCountry : given;
  if (input.registrationId !== undefined) {
    if (input.registrationId === null) Object.assign(out, { registrationId: null, registrationScheme: null });
    else {
      const reg = parseRegistration(
        input.registrationId,
        input.registrationScheme ?? undefined,
        country ?? undefined,
      );
      if (reg && 'error' in reg) errors.push({ field: f('registrationId'), message: reg.error });
      else if (reg) {
        Object.assign(out, { registrationId: reg.id, registrationScheme: reg.scheme });
        // A company given without a country is where its registration is (a SIREN is French).
        const implied = country ? undefined : countryOfRegistration(reg.scheme);
        if (implied) country = out.country = implied;
      }
    }
  }
  if (input.industryCode !== undefined) {
    if (input.industryCode === null) Object.assign(out, { industryCode: null, industryScheme: null });
    else {
      const industry = parseIndustry(
        input.industryCode,
        input.industryScheme ?? undefined,
        country ?? undefined,
      );
      if (industry) {
        Object.assign(out, { industryCode: industry.code, industryScheme: industry.scheme ?? null });
        if (industry.label && input.industryLabel === undefined) out.industryLabel = industry.label;
      }
    }
  }
  if (input.domain !== undefined) {
    const domain = input.domain === null ? null : normalizeDomain(input.domain);
    if (domain === undefined)
      errors.push({ field: f('domain'), message: `"${input.domain}" is not a domain or URL` });
    else out.domain = domain;
  }
  for (const key of [
    'name',
    'industryLabel',
    'employeeCount',
    'employeeBand',
    'annualRevenue',
    'region',
    'city',
    'postalCode',
  ] as const) {
    if (input[key] !== undefined) out[key] = input[key];
  }
  if (input.revenueCurrency !== undefined) out.revenueCurrency = input.revenueCurrency?.toUpperCase() ?? null;
  if (input.attributes !== undefined) out.attributes = input.attributes;
  return out as Partial<CompanyDraft>;
}

function conflictOnKey(existingId: string): AppError {
  return new AppError(
    'CONFLICT',
    'a company with this registration id, or this name in this country, already exists',
    {
      extra: { existingId },
    },
  );
}

async function findByKey(ctx: Ctx, key: string, except?: string) {
  const [row] = await ctx.db
    .select({ id: companies.id })
    .from(companies)
    .where(
      and(
        eq(companies.orgId, ctx.orgId),
        eq(companies.dedupeKey, key),
        except ? sql`${companies.id} <> ${except}` : undefined,
      ),
    );
  return row?.id;
}

export async function createCompany(ctx: Ctx, input: CompanyInput): Promise<CompanyRow> {
  const errors: FieldError[] = [];
  const draft = normalizeCompanyInput(input, errors);
  if (!draft.name) errors.push({ field: 'name', message: 'a company needs a name' });
  if (errors.length > 0) throw invalid('the company is not valid', errors);
  const dedupeKey = companyDedupeKey(draft as CompanyDraft);
  const existing = await findByKey(ctx, dedupeKey);
  if (existing) throw conflictOnKey(existing);
  const [row] = await ctx.db
    .insert(companies)
    .values({
      ...(draft as CompanyDraft),
      attributes: (draft.attributes ?? {}) as Attributes,
      orgId: ctx.orgId,
      dedupeKey,
      nameKey: companyNameKey(draft.name!),
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw conflictOnKey((await findByKey(ctx, dedupeKey)) ?? '');
  return row;
}

export async function getCompany(ctx: Ctx, id: string): Promise<CompanyRow> {
  const [row] = await ctx.db
    .select()
    .from(companies)
    .where(and(eq(companies.orgId, ctx.orgId), eq(companies.id, id)));
  if (!row) throw notFound('Company');
  return row;
}

export async function updateCompany(ctx: Ctx, id: string, input: CompanyInput): Promise<CompanyRow> {
  const current = await getCompany(ctx, id);
  const errors: FieldError[] = [];
  const patch = normalizeCompanyInput(input, errors, '', current.country);
  if (input.name !== undefined && !input.name)
    errors.push({ field: 'name', message: 'a company needs a name' });
  if (errors.length > 0) throw invalid('the company is not valid', errors);
  const attributes = mergeAttributes(current.attributes, input.attributes);
  const next = { ...current, ...patch, attributes } as CompanyRow;
  const dedupeKey = companyDedupeKey({
    name: next.name,
    registrationId: next.registrationId ?? undefined,
    registrationScheme: next.registrationScheme ?? undefined,
    country: next.country ?? undefined,
  });
  return withTransaction(ctx, async (tx) => {
    // Under the organization's write lock, as imports write companies: two given one SIREN at once are a
    // 409 for the second, not a unique violation.
    await lockOrganizationWrites(tx);
    const clash = await findByKey(tx, dedupeKey, id);
    if (clash) throw conflictOnKey(clash);
    const [row] = await tx.db
      .update(companies)
      .set({
        ...patch,
        attributes,
        dedupeKey,
        nameKey: companyNameKey(next.name),
        updatedAt: new Date(),
      } as Partial<CompanyRow>)
      .where(and(eq(companies.orgId, tx.orgId), eq(companies.id, id)))
      .returning();
    // Its people's fit may have changed.
    await queueCompanyPeople(tx, [id]);
    return row!;
  });
}

/** JSON merge patch on custom attributes: given keys replace, null removes. */
export function mergeAttributes(current: Attributes, patch: Attributes | undefined): Attributes {
  if (!patch) return current;
  const next: Attributes = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Deletes a company; its people stay, without company. */
export async function deleteCompany(ctx: Ctx, id: string): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    await lockOrganizationWrites(tx);
    const rows = await tx.db
      .delete(companies)
      .where(and(eq(companies.orgId, tx.orgId), eq(companies.id, id)))
      .returning({ id: companies.id });
    if (rows.length === 0) throw notFound('Company');
    const people = await tx.db
      .update(prospects)
      .set({ companyId: null, updatedAt: new Date() })
      .where(and(eq(prospects.orgId, tx.orgId), eq(prospects.companyId, id)))
      .returning({ id: prospects.id });
    // Their industry, size and revenue were the company's: their scores and reasons change.
    await queueScoring(
      tx,
      people.map((p) => p.id),
    );
  });
}

export interface CompanyFilters {
  q?: string;
  country?: string;
  industry?: string;
  industryScheme?: IndustryScheme;
  registrationId?: string;
  domain?: string;
  limit: number;
  cursor?: string;
}

export async function listCompanies(ctx: Ctx, f: CompanyFilters) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(companies)
    .where(
      and(
        eq(companies.orgId, ctx.orgId),
        f.q ? containsBare(sql`${companies.name}`, f.q) : undefined,
        f.country ? eq(companies.country, f.country) : undefined,
        f.industry ? industryPrefix(sql`${companies.industryCode}`, f.industry) : undefined,
        f.industryScheme ? industrySchemeIs(sql`${companies.industryScheme}`, f.industryScheme) : undefined,
        f.registrationId
          ? eq(companies.registrationId, f.registrationId.replace(/[\s.]/g, '').toUpperCase())
          : undefined,
        // As stored: "www.acme.fr" and "https://acme.fr/contact" find acme.fr.
        f.domain ? eq(companies.domain, normalizeDomain(f.domain) ?? f.domain.toLowerCase()) : undefined,
        after ? lt(companies.id, after) : undefined,
      ),
    )
    .orderBy(desc(companies.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

/**
 * An industry-code prefix as a condition on `column`: as written, in capitals, and with NAF's dot or
 * without it, whichever way it was given ("4669" and "46.69" both find NAF 46.69Z as well as NAICS or SIC
 * codes that start with 4669, as a profile's criterion does; `industryScheme` keeps to one scheme).
 */
export function industryPrefix(column: SQL, prefix: string): SQL {
  const text = prefix.trim();
  const forms = new Set([text, text.toUpperCase()]);
  const naf = /^(\d{2})\.?(\d{1,2}[A-Za-z]?)$/.exec(text);
  if (naf) {
    forms.add(`${naf[1]}.${naf[2]!.toUpperCase()}`);
    forms.add(`${naf[1]}${naf[2]!.toUpperCase()}`);
  }
  return sql`${column} LIKE ANY(${sql.param([...forms].map((form) => `${escapeLike(form)}%`))}::text[])`;
}

/** Codes of the scheme's family (NAF with NACE): "42" of NAF is civil engineering, of NAICS wholesale. */
export function industrySchemeIs(column: SQL, scheme: IndustryScheme): SQL {
  return sql`${column} = ANY(${sql.param(industryFamily(scheme))}::text[])`;
}
