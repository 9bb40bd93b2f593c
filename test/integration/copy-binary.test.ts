import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx, withTransaction } from '../../src/context';
import { copyBinary, type Database, queryRows } from '../../src/db';
import { BinaryRows, encodedUuid } from '../../src/lib/copy-binary';
import { newOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

const COLUMNS = ['id', 'small', 'whole', 'real', 'flag', 'words', 'at'];

/** Rows written by BinaryRows, as the server reads them back (each value as its text). */
describe.each(databases)('rows in COPY’s binary format on $name', ({ open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
    await database.db.execute(
      sql`CREATE TABLE IF NOT EXISTS binary_rows (id uuid, small smallint, whole integer, real float8,
            flag boolean, words text, at timestamptz)`,
    );
  });
  afterAll(async () => {
    await database.db.execute(sql`DROP TABLE IF EXISTS binary_rows`);
    await database.close();
  });

  it('reach the table as written: negative numbers, nulls, any text, instants before and after 2000', async () => {
    const org = await newOrg(database);
    const out = new BinaryRows(16); // grows as it needs
    out
      .row(7)
      .uuid('0190ABCD-0000-7000-8000-00000000002a')
      .int2(-32_768)
      .int4(-2_147_483_648)
      .float8(0.1 + 0.2)
      .bool(true)
      .text('Acheteuse « achats »\t\\ 😀 \n fin')
      .timestampMicros(Date.UTC(2026, 11, 1, 5, 40, 0, 123) * 1000 + 456);
    out
      .row(7)
      .encoded(encodedUuid(org.orgId))
      .int2(null)
      .int4(2_147_483_647)
      .float8(null)
      .bool(false)
      .text(null)
      .timestampMicros(Date.UTC(1969, 6, 20, 20, 17) * 1000);
    out.row(7).null().int2(32_767).null().float8(-1e-7).bool(null).text('').timestampMicros(0);
    await withTransaction(systemCtx(database.db, org.orgId, null), (tx) =>
      copyBinary(tx.db, 'binary_rows', COLUMNS, out.end()),
    );
    const rows = await queryRows<Record<string, string | null>>(
      database.db,
      sql`SELECT id::text, small::text, whole::text, real::text, flag::text, words,
            to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at
          FROM binary_rows ORDER BY whole`,
    );
    expect(rows).toEqual([
      {
        id: '0190abcd-0000-7000-8000-00000000002a',
        small: '-32768',
        whole: '-2147483648',
        real: '0.30000000000000004',
        flag: 'true',
        words: 'Acheteuse « achats »\t\\ 😀 \n fin',
        at: '2026-12-01 05:40:00.123456',
      },
      {
        id: org.orgId,
        small: null,
        whole: '2147483647',
        real: null,
        flag: 'false',
        words: null,
        at: '1969-07-20 20:17:00.000000',
      },
      {
        id: null,
        small: '32767',
        whole: null,
        real: '-1e-07',
        flag: null,
        words: '',
        at: '1970-01-01 00:00:00.000000',
      },
    ]);
  });

  it('refuses a uuid that is not one, before anything is sent', () => {
    for (const bad of ['0190abcd-0000-7000-8000-00000000002', '0190abcd-0000-7000-8000-00000000002g', 'x'])
      expect(() => new BinaryRows().row(1).uuid(bad)).toThrow(/not a uuid/);
  });
});
