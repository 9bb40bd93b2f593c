import { fold } from './fold';

/** A prospect's own values as files write them: a full name parted in two, business or consumer. */

/**
 * Splits "Jean Dupont", "DUPONT Jean", "Dupont, Jean" or "M. Jean-Pierre de La Tour" into first and last
 * names. A word in capitals is the family name, as French lists write it.
 */
export function splitFullName(raw: string): { firstName?: string; lastName?: string } {
  let text = raw.trim().replace(/\s+/g, ' ');
  text = text.replace(
    /^(m\.|mr\.?|mrs\.?|ms\.?|mme\.?|mlle\.?|dr\.?|me\.?|monsieur|madame|mademoiselle|herr|frau)\s+/i,
    '',
  );
  if (text === '') return {};
  const comma = text.indexOf(',');
  if (comma > 0) return compact(text.slice(comma + 1), text.slice(0, comma));
  const words = text.split(' ');
  if (words.length === 1) return { lastName: words[0] };
  const isUpper = (w: string) => w.length > 1 && w === w.toUpperCase() && w !== w.toLowerCase();
  const upper = words.map(isUpper);
  if (upper.some(Boolean) && !upper.every(Boolean)) {
    return compact(words.filter((_, i) => !upper[i]).join(' '), words.filter((_, i) => upper[i]).join(' '));
  }
  return compact(words[0]!, words.slice(1).join(' '));
}

function compact(firstName: string, lastName: string) {
  const f = firstName.trim();
  const l = lastName.trim();
  return { ...(f ? { firstName: f } : {}), ...(l ? { lastName: l } : {}) };
}

/** "B2B", "professionnel", "entreprise" → b2b; "B2C", "particulier", "consumer" → b2c. */
export function parseProspectKind(raw: string): 'b2b' | 'b2c' | undefined {
  const key = fold(raw);
  if (/^(b2b|pro|professionnel|professional|business|entreprise|company|societe|firm)s?$/.test(key))
    return 'b2b';
  if (/^(b2c|particulier|consumer|individual|private|prive|personne physique|person)s?$/.test(key))
    return 'b2c';
  return undefined;
}
