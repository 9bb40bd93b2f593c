import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { asksNoContactSql } from '../../src/interactions/no-contact-sql';
import { asksNoContact } from '../../src/interactions/types';
import { databases } from '../helpers/databases';

const OUTCOMES = [
  'Ne pas rappeler',
  'do_not_contact',
  'DoNotCall',
  'A demandé à ne plus être appelé',
  'Pas intéressé - ne plus contacter',
  "Ne plus m'appeler",
  'NE PLUS ÊTRE RECONTACTÉE',
  "Don't call me again",
  'DNC',
  'Remove from list',
  'Rappeler demain - do not call before 14h',
  'ne pas appeler avant 14h30',
  "don't call me on Friday mornings",
  'Not DNC',
  'Refusé',
  'dncx',
];

describe.each(databases)('do-not-contact dispositions in SQL on $name', ({ open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(() => database.close());

  it('reads every disposition as asksNoContact() does, for scoring to find them', async () => {
    const rows = await queryRows<{ outcome: string; stop: boolean }>(
      database.db,
      sql`SELECT o AS outcome, ${asksNoContactSql(sql`o`, sql`'call_answered'`)} AS stop
          FROM unnest(${sql.param(OUTCOMES)}::text[]) o`,
    );
    expect(rows.map((r) => [r.outcome, r.stop])).toEqual(OUTCOMES.map((o) => [o, asksNoContact(o)]));
    const [optOut] = await queryRows<{ stop: boolean }>(
      database.db,
      sql`SELECT ${asksNoContactSql(sql`'DNC'`, sql`'opt_out'`)} AS stop`,
    );
    expect(optOut!.stop).toBe(false);
  });
});
