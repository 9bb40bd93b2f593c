import { type CountryCode, getCountries, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type PhoneType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'voip'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

export interface NormalizedPhone {
  ok: true;
  /** E.164, e.g. +33123456789 */
  e164: string;
  country: string | null;
  type: PhoneType;
  extension?: string;
}

export interface InvalidPhone {
  ok: false;
  reason: string;
}

const SUPPORTED = new Set<string>(getCountries());

export function isSupportedCountry(code: string): code is CountryCode {
  return SUPPORTED.has(code);
}

/**
 * French numbers of the overseas departments are dialled nationally with a leading 0 (0590…, 0692…)
 * but live under their own calling codes, so a "FR" default must also try them.
 */
const SAME_NATIONAL_PLAN: Partial<Record<string, CountryCode[]>> = {
  FR: ['RE', 'GP', 'MQ', 'GF', 'YT', 'PM', 'BL', 'MF'],
  GB: ['GG', 'JE', 'IM'],
};

// "poste 12", "ext. 12", "x12", "#12": an extension written after the number.
const EXTENSION = /\s*(?:poste|postes|ext\.?|extension|x|#|p\.)\s*(\d{1,6})\s*$/i;
const LABEL = /^\s*(?:t[ée]l(?:[ée]phone)?|phone|mobile|portable|fax|gsm|cell)\s*[.:]?\s*/i;
// "06 12 34 56 78 (Mobile)", as Pipedrive labels each number.
const SUFFIX_LABEL =
  /\s*\((?:work|mobile|home|other|main|office|fax|pro|perso|bureau|domicile|portable|fixe|direct|standard)\)\s*$/i;

/**
 * Normalizes a phone number to E.164 with its type. `defaultCountry` is used for national forms
 * ("01 23 45 67 89"); international forms ("+44…", "0044…") carry their own country.
 */
export function normalizePhone(raw: string, defaultCountry: string | null): NormalizedPhone | InvalidPhone {
  let text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  let extension: string | undefined;
  const ext = EXTENSION.exec(text);
  if (ext && text.length - ext[0].length >= 6) {
    extension = ext[1];
    text = text.slice(0, ext.index);
  }
  text = text.replace(LABEL, '').replace(SUFFIX_LABEL, '');
  if (/[a-z]{2,}/i.test(text)) return { ok: false, reason: `"${raw}" contains letters` };
  const digits = text.replace(/\D/g, '');
  if (digits.length < 5) return { ok: false, reason: `"${raw}" is too short to be a phone number` };
  if (digits.length > 17) return { ok: false, reason: `"${raw}" has too many digits` };

  const country = defaultCountry && isSupportedCountry(defaultCountry) ? defaultCountry : undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  const valid = parsed && validType(parsed);
  if (valid) return accepted(parsed, valid, extension);

  if (country && !/^\s*(\+|00)/.test(text)) {
    for (const neighbour of SAME_NATIONAL_PLAN[country] ?? []) {
      const retry = parsePhoneNumberFromString(text, neighbour);
      const type = retry && validType(retry);
      if (type) return accepted(retry, type, extension);
    }
  }
  const where = parsed?.country ?? country;
  if (!where && !/^\s*(\+|00)/.test(text)) {
    return { ok: false, reason: `"${raw}" has no country code and the row has no country` };
  }
  return { ok: false, reason: `"${raw}" is not a valid number${where ? ` for ${where}` : ''}` };
}

type Parsed = NonNullable<ReturnType<typeof parsePhoneNumberFromString>>;

/**
 * The number's type when it is valid, else undefined. With the full metadata a number has a type exactly
 * when it is valid (isValid() is getType() !== undefined): asking for both matched every pattern twice.
 * A valid number without a type, if any, answers 'unknown'.
 */
function validType(parsed: Parsed): PhoneType | undefined {
  const type = parsed.getType();
  if (type) return type.toLowerCase() as PhoneType;
  return parsed.isValid() ? 'unknown' : undefined;
}

function accepted(parsed: Parsed, type: PhoneType, extension: string | undefined): NormalizedPhone {
  return {
    ok: true,
    e164: parsed.number,
    country: parsed.country ?? null,
    type,
    ...(extension ? { extension } : {}),
  };
}

/**
 * An E.164 number written as people read it, "+33 6 12 34 56 78": what a spreadsheet keeps as text, where
 * "+33612345678" becomes the number 33612345678. The value itself when it cannot be parsed.
 */
export function internationalForm(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
