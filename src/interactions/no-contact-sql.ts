import { type SQL, sql } from 'drizzle-orm';
import { DO_NOT_CONTACT_PATTERN } from './types';

// The accented letters fold() takes off, as translate() pairs: PostgreSQL has no unaccent without an extension.
const ACCENTED = 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ';
const PLAIN = 'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyy';

/**
 * Whether an event's outcome asks not to be contacted again, as asksNoContact() reads it, for scoring to
 * tell in SQL: the outcome folded as fold() does (camelCase split, accents, case and punctuation off),
 * then the same pattern. Opt-outs and complaints are left out, as stopAskedBy() leaves them.
 */
export function asksNoContactSql(outcome: SQL, type: SQL): SQL {
  const folded = sql`btrim(regexp_replace(lower(regexp_replace(translate(${outcome}, ${ACCENTED}, ${PLAIN}),
    '([a-z])([A-Z])', '\\1 \\2', 'g')), '[^a-z0-9#]+', ' ', 'g'))`;
  return sql`(${type} NOT IN ('opt_out', 'complaint') AND ${folded} ~ ${DO_NOT_CONTACT_PATTERN})`;
}
