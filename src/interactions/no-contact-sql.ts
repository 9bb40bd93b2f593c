import { type SQL, sql } from 'drizzle-orm';
import { unmarkedSql } from '../prospects/search';
import { DO_NOT_CONTACT_PATTERN } from './types';

/**
 * Whether an event's outcome asks not to be contacted again, as asksNoContact() reads it, for scoring to
 * tell in SQL: the outcome folded as fold() does (camelCase split, accents, case and punctuation off),
 * then the same pattern. Opt-outs and complaints are left out, as stopAskedBy() leaves them.
 */
export function asksNoContactSql(outcome: SQL, type: SQL): SQL {
  const folded = sql`btrim(regexp_replace(lower(regexp_replace(${unmarkedSql(outcome)},
    '([a-z])([A-Z])', '\\1 \\2', 'g')), '[^a-z0-9#]+', ' ', 'g'))`;
  return sql`(${type} NOT IN ('opt_out', 'complaint') AND ${folded} ~ ${DO_NOT_CONTACT_PATTERN})`;
}
