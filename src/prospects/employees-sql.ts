import { type SQL, sql } from 'drizzle-orm';

/**
 * A company's employee count, or the first number of its band when only a band is known: "50 à 99",
 * "1 000 à 1 999", "1,000-4,999", "1.000–4.999" (separators of thousands), "1k-5k".
 */
export function employeesOf(alias: string): SQL {
  const band = sql.raw(`${alias}.employee_band`);
  return sql`coalesce(${sql.raw(`${alias}.employee_count`)}, (
    SELECT CASE WHEN m[2] <> '' THEN m[1]::int * 1000 ELSE m[1]::int END
    FROM regexp_match(translate(regexp_replace(${band}, '([0-9])[.,]([0-9]{3})', '\\1\\2', 'g'), ' ' || chr(160) || chr(8239), ''),
      '([0-9]{1,7})([kK]?)') AS m))`;
}
