import type { Attributes } from '../../db/schema';
import {
  countryOfRegistration,
  type IndustryScheme,
  normalizeDomain,
  parseIndustry,
  parseRegistration,
  type RegistrationScheme,
} from '../prospects/company-values';
import {
  type CompanyDraft,
  type ContactPointDraft,
  companyDedupeKey,
  contactPointDraft,
  type ProspectDraft,
} from '../prospects/drafts';
import { FREE_MAIL_DOMAINS } from '../prospects/email';
import { normalizeCountry, normalizeLanguage, normalizeTimeZone } from '../prospects/locale';
import { parseEmployees, parseMoney } from '../prospects/numbers';
import { parseProspectKind, splitFullName } from '../prospects/person-values';
import { normalizePhone } from '../prospects/phone';
import type { ColumnPlan } from './plan';
import { filled, type RowResult, type RowValues, readRow, rejected, splitMulti, splitPhones } from './rows';

export interface ProspectRecord {
  line: number;
  company?: KeyedCompany;
  /** Absent for a row that only describes a company. */
  prospect?: ProspectDraft;
  contactPoints: ContactPointDraft[];
  warnings: string[];
}

export interface ProspectRowOptions {
  /** Country for national numbers when the row names none. */
  defaultCountry: string | null;
  /** An invalid phone or e-mail rejects the row (default) or is dropped with a warning. */
  invalidContactPoints: 'reject' | 'drop';
  /** Companies already read in this import: a list repeats each company on every person's row. */
  companyCache?: CompanyCache;
}

/** Raw company cells → the company read from them and the warnings that came with it (without line). */
export type CompanyCache = Map<string, { company: KeyedCompany | undefined; warnings: string[] }>;

type KeyedCompany = CompanyDraft & { dedupeKey: string; signature?: string };

const COMPANY_CACHE_LIMIT = 20_000;
const companyColumns = new WeakMap<ColumnPlan, number[]>();

/** The columns a company is read from, once per plan. */
function companyColumnsOf(plan: ColumnPlan): number[] {
  let columns = companyColumns.get(plan);
  if (!columns) {
    const fields = new Set([
      'companyName',
      'registrationId',
      'website',
      'industryCode',
      'industryLabel',
      'employees',
      'employeeBand',
      'revenue',
      'region',
      'city',
      'postalCode',
    ]);
    columns = plan.columns
      .filter((c) => c.field && (fields.has(c.field) || c.field.startsWith('companyAttributes.')))
      .map((c) => c.index);
    companyColumns.set(plan, columns);
  }
  return columns;
}

/** Reads the company of a row once per distinct set of company cells (and country, and e-mail domain). */
function cachedCompany(
  fields: string[],
  plan: ColumnPlan,
  row: RowValues,
  country: string | undefined,
  contactPoints: ContactPointDraft[],
  warn: (m: string) => void,
  cache: CompanyCache | undefined,
): KeyedCompany | undefined {
  if (!cache) return companyOf(row, country, contactPoints, warn);
  let key = country ?? '';
  for (const index of companyColumnsOf(plan)) key += `\u001f${fields[index] ?? ''}`;
  // The domain companyOf takes when the row has no web site: the first e-mail's outside webmail.
  if (!row.one('website')) key += `\u001f${companyDomainOf(contactPoints) ?? ''}`;
  let hit = cache.get(key);
  if (!hit) {
    const warnings: string[] = [];
    const company: KeyedCompany | undefined = companyOf(row, country, contactPoints, (m) => warnings.push(m));
    if (company) company.signature = key;
    hit = { company, warnings };
    if (cache.size >= COMPANY_CACHE_LIMIT) cache.clear();
    cache.set(key, hit);
  }
  for (const message of hit.warnings) warn(message);
  // Rows of one company share its draft: the writers merge drafts into new objects and never change them.
  return hit.company;
}

export function toProspectRecord(
  fields: string[],
  line: number,
  plan: ColumnPlan,
  options: ProspectRowOptions,
): RowResult<ProspectRecord> {
  const read = readRow(fields, line, plan);
  if ('blank' in read) return { kind: 'blank' };
  if ('error' in read) return { kind: 'rejected', error: read.error };
  const row = read.values;
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(`line ${line}: ${message}`);

  const country = countryOf(row, 'country', warn);
  const companyCountry = countryOf(row, 'companyCountry', warn) ?? country;
  const phoneCountry = country ?? companyCountry ?? options.defaultCountry;

  const contactPoints: ContactPointDraft[] = [];
  const seen = new Set<string>();
  for (const [field, channel] of [
    ['email', 'email'],
    ['mobile', 'phone'],
    ['phone', 'phone'],
  ] as const) {
    for (const { value: cell, header } of row.all(field)) {
      const value = filled(cell);
      if (value === undefined) continue;
      const parts = channel === 'phone' ? splitPhones(value, isPhoneFor(phoneCountry)) : splitMulti(value);
      for (const part of parts) {
        const result = contactPointDraft(channel, part, phoneCountry, header);
        if (!result.ok) {
          if (options.invalidContactPoints === 'reject') return rejected(line, result.message, field);
          warn(`${result.message}; left out`);
          continue;
        }
        if (seen.has(result.draft.value)) continue;
        seen.add(result.draft.value);
        contactPoints.push(result.draft);
      }
    }
  }

  const company = cachedCompany(fields, plan, row, companyCountry, contactPoints, warn, options.companyCache);
  const prospect = prospectOf(row, country ?? companyCountry, warn);
  if ('error' in prospect) return rejected(line, prospect.error, prospect.field);
  // Without a country column, a person lives where their phone does: a French list gets FR people.
  const numbered = contactPoints.find((cp) => cp.channel === 'phone' && cp.country)?.country;
  if (!prospect.country && numbered) prospect.countryGuess = numbered;

  const hasPerson =
    prospect.firstName !== undefined ||
    prospect.lastName !== undefined ||
    prospect.externalId !== undefined ||
    contactPoints.length > 0;
  if (!hasPerson && !company) {
    return rejected(line, 'nothing identifies a person or a company (no name, e-mail, phone or company)');
  }
  // One name alone is no one to call or write to, and often a report's stray line ("Pinder Holding").
  const lone =
    prospect.firstName === undefined
      ? prospect.lastName
      : prospect.lastName === undefined
        ? prospect.firstName
        : undefined;
  if (!company && contactPoints.length === 0 && prospect.externalId === undefined && lone !== undefined)
    return rejected(
      line,
      `only a name ("${lone}"): nothing to reach or place this person by (no e-mail, phone, company or CRM id)`,
    );
  return {
    kind: 'record',
    record: {
      line,
      ...(company ? { company } : {}),
      ...(hasPerson ? { prospect } : {}),
      contactPoints,
      warnings,
    },
  };
}

/** Whether a text alone is a valid phone number for a row whose numbers default to `country`. */
const isPhoneFor = (country: string | null) => (text: string) => normalizePhone(text, country).ok;

/** Social networks, whose URLs are profiles, never a company's own site. */
const SOCIAL_DOMAINS = new Set([
  'linkedin.com',
  'fr.linkedin.com',
  'facebook.com',
  'twitter.com',
  'x.com',
  'instagram.com',
  'youtube.com',
  'xing.com',
  'viadeo.com',
  'tiktok.com',
]);

/** The domain of the first e-mail outside webmail, which names the person's company. */
function companyDomainOf(contactPoints: ContactPointDraft[]): string | undefined {
  return contactPoints.find((cp) => cp.channel === 'email' && cp.domain && !FREE_MAIL_DOMAINS.has(cp.domain))
    ?.domain;
}

function countryOf(row: RowValues, field: string, warn: (m: string) => void): string | undefined {
  const raw = row.one(field);
  if (raw === undefined) return undefined;
  const code = normalizeCountry(raw);
  if (!code) warn(`country "${raw}" is not recognised; left empty`);
  return code;
}

function industrySchemeFrom(header: string | undefined): IndustryScheme | undefined {
  if (!header) return undefined;
  const h = header.toLowerCase();
  if (/naf|ape|activit/.test(h)) return 'NAF';
  if (/naics/.test(h)) return 'NAICS';
  if (/\bsic\b/.test(h)) return 'SIC';
  return undefined;
}

function registrationSchemeFrom(header: string | undefined): RegistrationScheme | undefined {
  if (!header) return undefined;
  const h = header.toLowerCase();
  if (h.includes('siret')) return 'SIRET';
  if (h.includes('siren')) return 'SIREN';
  if (/\bein\b/.test(h)) return 'EIN';
  if (/companies house|company number/.test(h)) return 'COMPANIES_HOUSE';
  return undefined;
}

/** A company's fields that say nothing of the person: lost when the row names no company. */
const COMPANY_ONLY_FIELDS = ['industryCode', 'industryLabel', 'employees', 'employeeBand', 'revenue'];

function companyOf(
  row: RowValues,
  country: string | undefined,
  contactPoints: ContactPointDraft[],
  warn: (m: string) => void,
): (CompanyDraft & { dedupeKey: string }) | undefined {
  const name = row.one('companyName');
  const registrationCell = row.all('registrationId')[0];
  const website = row.one('website');
  const attributes = row.prefixed('companyAttributes') as Attributes;
  if (!name && !registrationCell && !website) {
    const left = [
      ...COMPANY_ONLY_FIELDS.flatMap((field) => row.all(field).map((cell) => cell.header)),
      ...Object.keys(attributes),
    ];
    if (left.length > 0)
      warn(
        `${left.map((k) => `"${k}"`).join(', ')} left out: the row names no company (no company name, registration id or web site)`,
      );
    return undefined;
  }

  // "  Dedup   SAS " is "Dedup SAS": spaces an export padded with are nobody's name.
  const company: CompanyDraft = { name: name?.replace(/\s+/g, ' ') ?? '', attributes };
  if (country) company.country = country;
  if (registrationCell) {
    const registration = parseRegistration(
      registrationCell.value,
      registrationSchemeFrom(registrationCell.header),
      country,
    );
    if (registration && 'error' in registration) warn(`registration id ${registration.error}; left empty`);
    else if (registration) {
      company.registrationId = registration.id;
      company.registrationScheme = registration.scheme;
      if (registration.warning) warn(registration.warning);
      // A company whose row gives no country is where its registration is (a SIREN is French).
      company.country ??= countryOfRegistration(registration.scheme);
      if (company.country === undefined) delete company.country;
    }
  }
  const industryCell = row.all('industryCode')[0];
  if (industryCell) {
    const industry = parseIndustry(
      industryCell.value,
      industrySchemeFrom(industryCell.header),
      company.country,
    );
    if (industry) {
      company.industryCode = industry.code;
      if (industry.scheme) company.industryScheme = industry.scheme;
      if (industry.label) company.industryLabel = industry.label;
    }
  }
  const label = row.one('industryLabel');
  if (label) company.industryLabel = label;
  const employees = row.one('employees');
  if (employees) {
    const parsed = parseEmployees(employees);
    if (parsed?.count !== undefined) company.employeeCount = parsed.count;
    else if (parsed?.band) company.employeeBand = parsed.band;
    else warn(`headcount "${employees}" is not a number or a range; left empty`);
  }
  const band = row.one('employeeBand');
  if (band) {
    const parsed = parseEmployees(band, true);
    if (parsed?.band) company.employeeBand = parsed.band;
    else if (parsed?.count !== undefined) company.employeeCount ??= parsed.count;
    else warn(`headcount band "${band}" is not a range; left empty`);
  }
  const revenue = row.one('revenue');
  if (revenue) {
    const money = parseMoney(revenue);
    if (money) {
      company.annualRevenue = money.amount;
      if (money.currency) company.revenueCurrency = money.currency;
    } else warn(`revenue "${revenue}" is not an amount; left empty`);
  }
  let domain = website ? normalizeDomain(website) : undefined;
  if (website && !domain) warn(`web site "${website}" is not a domain or URL; left empty`);
  // A LinkedIn export's "URL" is the person's profile: linkedin.com is nobody's company.
  if (domain && SOCIAL_DOMAINS.has(domain)) {
    warn(`"${website}" is a profile on ${domain}, not the company's web site; left out`);
    domain = undefined;
  }
  company.domain = domain ?? companyDomainOf(contactPoints);
  if (company.domain === undefined) delete company.domain;
  const region = row.one('region');
  const city = row.one('city');
  const postalCode = row.one('postalCode');
  if (region) company.region = region;
  if (city) company.city = city;
  if (postalCode) company.postalCode = postalCode;
  if (!company.name)
    company.name =
      company.domain ?? `${company.registrationScheme ?? 'Company'} ${company.registrationId ?? ''}`.trim();
  return { ...company, dedupeKey: companyDedupeKey(company) };
}

function prospectOf(
  row: RowValues,
  country: string | undefined,
  warn: (m: string) => void,
): ProspectDraft | { error: string; field: string } {
  const prospect: ProspectDraft = { attributes: row.prefixed('attributes') as Attributes };
  const full = row.one('fullName');
  const split = full ? splitFullName(full) : {};
  const firstName = row.one('firstName') ?? split.firstName;
  const lastName = row.one('lastName') ?? split.lastName;
  if (firstName) prospect.firstName = firstName;
  if (lastName) prospect.lastName = lastName;
  const civility = row.one('civility');
  if (civility) prospect.attributes.civility = civility;
  const externalId = row.one('externalId');
  if (externalId) prospect.externalId = externalId;
  // Only an explicit type is kept: the writer defaults new prospects to b2b with a company, b2c without,
  // and leaves the type of existing prospects alone.
  const kind = row.one('kind');
  if (kind) {
    const parsed = parseProspectKind(kind);
    if (!parsed) return { error: `type "${kind}" is neither B2B nor B2C`, field: 'kind' };
    prospect.kind = parsed;
  }
  for (const field of ['jobTitle', 'seniority', 'department', 'region', 'city', 'postalCode'] as const) {
    const value = row.one(field);
    if (value) prospect[field] = value;
  }
  if (country) prospect.country = country;
  const language = row.one('language');
  if (language) {
    const code = normalizeLanguage(language);
    if (code) prospect.language = code;
    else warn(`language "${language}" is not recognised; left empty`);
  }
  const timeZone = row.one('timeZone');
  if (timeZone) {
    const zone = normalizeTimeZone(timeZone);
    if (zone) prospect.timeZone = zone;
    else warn(`time zone "${timeZone}" is not an IANA zone such as Europe/Paris; left empty`);
  }
  return prospect;
}
