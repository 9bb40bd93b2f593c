import type { Attributes, ContactChannel } from '../../db/schema';
import { normalizeEmail } from './email';
import { fold } from './fold';
import { normalizePhone } from './phone';

/** A company as an import row or an API call describes it, already normalized. */
export interface CompanyDraft {
  name: string;
  registrationId?: string;
  registrationScheme?: string;
  industryCode?: string;
  industryScheme?: string;
  industryLabel?: string;
  employeeCount?: number;
  employeeBand?: string;
  annualRevenue?: number;
  revenueCurrency?: string;
  country?: string;
  region?: string;
  city?: string;
  postalCode?: string;
  domain?: string;
  attributes: Attributes;
}

export interface ProspectDraft {
  externalId?: string;
  kind?: 'b2b' | 'b2c';
  firstName?: string;
  lastName?: string;
  jobTitle?: string;
  seniority?: string;
  department?: string;
  language?: string;
  country?: string;
  /** The country a row implies without saying it (its phone's): used when none is stored or given. */
  countryGuess?: string;
  region?: string;
  city?: string;
  postalCode?: string;
  timeZone?: string;
  attributes: Attributes;
}

export interface ContactPointDraft {
  /** Derived from organization, channel and value (see contactPointId); set once the organization is known. */
  id?: string;
  channel: ContactChannel;
  /** E.164 or lower-case e-mail. */
  value: string;
  phoneType?: string;
  country?: string;
  domain?: string;
  label?: string;
}

const LEGAL_FORMS = new Set([
  'sa',
  'sas',
  'sasu',
  'sarl',
  'eurl',
  'sci',
  'snc',
  'scop',
  'scp',
  'selarl',
  'gie',
  'ei',
  'eirl',
  'earl',
  'gaec',
  'ltd',
  'limited',
  'plc',
  'llp',
  'llc',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'kg',
  'ohg',
  'ug',
  'ev',
  'se',
  'bv',
  'nv',
  'srl',
  'spa',
  'sl',
]);

/** Same company, same key: the registration id when known, else the name without its legal form, and country. */
export function companyDedupeKey(
  company: Pick<CompanyDraft, 'name' | 'registrationId' | 'registrationScheme' | 'country'>,
): string {
  if (company.registrationId) return `reg:${company.registrationScheme ?? 'OTHER'}:${company.registrationId}`;
  return `name:${companyNameWords(company.name)}|${company.country ?? ''}`;
}

/** A company's name without its legal form, accents or case: "Blanc Industrie S.A.S." → "blanc industrie". */
function companyNameWords(name: string): string {
  // "S.A.S." is "SAS": initials with dots are one word, so that the legal form is known.
  const undotted = name.replace(/(?<![\p{L}\d])(?:\p{L}\.){2,}(?:\p{L}(?![\p{L}\d]))?/gu, (m) =>
    m.replaceAll('.', ''),
  );
  const words = fold(undotted, { camel: false })
    .split(' ')
    .filter((w) => w !== '' && !LEGAL_FORMS.has(w));
  return words.join(' ') || fold(name, { camel: false });
}

/**
 * The name as companies are found by it, whatever their country or registration id: its words without
 * spaces, so that "Bla Bla Car" and "BlaBlaCar" are one ("blablacar").
 */
export function companyNameKey(name: string): string {
  return companyNameWords(name).replaceAll(' ', '');
}

/** Normalized values tell their channel: E.164 phones start with +, e-mails never do. */
export function channelOfValue(value: string): ContactChannel {
  return value.startsWith('+') ? 'phone' : 'email';
}

export type ContactPointResult = { ok: true; draft: ContactPointDraft } | { ok: false; message: string };

/** Normalizes one phone or e-mail given by a person or a file. */
export function contactPointDraft(
  channel: ContactChannel,
  raw: string,
  defaultCountry: string | null,
  label?: string,
): ContactPointResult {
  if (channel === 'email') {
    const email = normalizeEmail(raw);
    if (!email.ok) return { ok: false, message: `e-mail ${email.reason}` };
    return {
      ok: true,
      draft: { channel, value: email.value, domain: email.domain, ...(label ? { label } : {}) },
    };
  }
  const phone = normalizePhone(raw, defaultCountry);
  if (!phone.ok) return { ok: false, message: `phone ${phone.reason}` };
  // An extension belongs to the person, not to the number (often a switchboard that others share): it is
  // kept on the person's link to it, where a caller sees it.
  if (phone.extension) label = label ? `${label} (ext. ${phone.extension})` : `ext. ${phone.extension}`;
  return {
    ok: true,
    draft: {
      channel,
      value: phone.e164,
      phoneType: phone.type,
      ...(phone.country ? { country: phone.country } : {}),
      ...(label ? { label } : {}),
    },
  };
}
