/**
 * CSV as spreadsheets read it: fields quoted when they hold the separator, a quote or a line break. With
 * `guardFormulas`, a text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe, so an exported name such as "=HYPERLINK(…)" stays text (CSV injection); a phone number
 * such as +33612345678, which only a number could come of, is left alone.
 */
export function csvLine(
  fields: readonly (string | number | null | undefined)[],
  options: { delimiter?: ',' | ';' | '\t'; guardFormulas?: boolean } = {},
): string {
  const delimiter = options.delimiter ?? ',';
  return fields
    .map((field) => {
      if (field === null || field === undefined) return '';
      if (typeof field === 'number') return String(field);
      // A phone in E.164 or a signed number starts with + or - but runs nothing: left as it is.
      const text =
        options.guardFormulas && /^[=+\-@\t\r]/.test(field) && !/^[+-]?\d[\d .]*$/.test(field)
          ? `'${field}`
          : field;
      return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(delimiter);
}
