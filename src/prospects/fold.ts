/**
 * Cell text as it is compared: folded (case, accents and punctuation aside), and read as nothing when it only
 * says that it is empty.
 */

/**
 * Lower-case, accents stripped, punctuation to single spaces: how headers and labels are compared. Words
 * joined in camel case are parted ("denominationUniteLegale"), unless `camel` is false (a company's name:
 * "SirenCo" is one word, whose "Co" is no legal form).
 */
export function fold(text: string, options: { camel?: boolean } = {}): string {
  // Accents only exist beyond ASCII: plain text skips the Unicode normalization.
  const plain = /^[\x20-\x7e]*$/.test(text) ? text : text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return (options.camel === false ? plain : plain.replace(/([a-z])([A-Z])/g, '$1 $2'))
    .toLowerCase()
    .replace(/[^a-z0-9#]+/g, ' ')
    .trim();
}

/**
 * A custom attribute's key as imports store a column's header ("Niveau client" → niveau_client), and as a
 * profile's condition or a filter names it: spaces, dashes and underscores, case and accents aside.
 */
export const attributeKey = (name: string): string => fold(name).replaceAll(' ', '_');

/**
 * What files write in a cell that holds nothing, after fold(): "n/a", "#N/A", "-", "?", "none", "néant",
 * "inconnu", "NC", "NR", "Non communiqué", "k.A.", "(blank)"… Imports read such an e-mail or phone as
 * empty, the backtest such a value as missing.
 */
const PLACEHOLDERS = new Set([
  '',
  'n a',
  '#n a',
  'na',
  'nan',
  'none',
  'null',
  'nil',
  'neant',
  'aucun',
  'nc',
  'n c',
  'nr',
  'n r',
  'non communique',
  'non communiquee',
  'nd',
  'n d',
  'k a',
  'n v',
  'keine angabe',
  'unbekannt',
  'unknown',
  'inconnu',
  'inconnue',
  'non renseigne',
  'non renseignee',
  'not available',
  'blank',
  'missing',
]);
/**
 * What a spreadsheet writes where a formula failed, in English or French: "#DIV/0!", "#VALUE!",
 * "#VALEUR!", "#REF!", "#NAME?", "#NOM?", "#NUM!", "#NULL!", "#N/A". A cell that says so holds no value.
 */
const EXCEL_ERROR = /^\s*#(?:[a-z][a-z0-9/_]*[!?]|n\/a)\s*$/i;
/** The longest placeholder as written, with room for dots and spaces: longer text is never folded. */
const PLACEHOLDER_LENGTH = 16;
const placeholderCache = new Map<string, boolean>();

/** Whether a cell only says that it is empty (see PLACEHOLDERS and EXCEL_ERROR). */
export function isPlaceholder(cell: string): boolean {
  if (cell.length > PLACEHOLDER_LENGTH) return false;
  if (EXCEL_ERROR.test(cell)) return true;
  // None other holds a digit or an "@": numbers, addresses and amounts are never folded, row after row.
  if (/[\d@]/.test(cell)) return false;
  let known = placeholderCache.get(cell);
  if (known === undefined) {
    known = PLACEHOLDERS.has(fold(cell));
    if (placeholderCache.size >= 10_000) placeholderCache.clear();
    placeholderCache.set(cell, known);
  }
  return known;
}
