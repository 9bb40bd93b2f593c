import { type SQL, sql } from 'drizzle-orm';

/**
 * A company's employee count, or the first number of its band when only a band is known: "50 à 99",
 * "1 000 à 1 999", "1,000-4,999", "1.000–4.999", "1,000,000+" (separators of thousands), "1k-5k",
 * "1,5k". Capped at the largest integer, so that no band typed by hand can fail a query; null without a
 * count or a band that holds a number.
 */
export function employeesOf(alias: string): SQL {
  const band = sql.raw(`${alias}.employee_band`);
  return sql`coalesce(${sql.raw(`${alias}.employee_count`)}, (
    SELECT least((m[1] || coalesce('.' || m[2], ''))::numeric * CASE WHEN m[3] <> '' THEN 1000 ELSE 1 END,
      2147483647)::int
    FROM regexp_match(
      translate(regexp_replace(${band}, '([0-9])[.,](?=[0-9]{3}([^0-9]|$))', '\\1', 'g'), ' ' || chr(160) || chr(8239), ''),
      '([0-9]{1,9})(?:[.,]([0-9]+))?([kK]?)') AS m
    -- No band, or none with a number: no count (least() would have taken the cap for it).
    WHERE m IS NOT NULL))`;
}
