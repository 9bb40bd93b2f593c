import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/context';
import { type Database, queryRows } from '../../src/db';
import { runImport } from '../../src/imports/engine';
import { importOptionsSchema } from '../../src/imports/options';
import { createJob } from '../../src/jobs/service';
import { createProspect } from '../../src/prospects/prospects';
import { newOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

const HEADER = 'Société;Prénom;Nom;Téléphone;E-mail\n';
const ROWS = [
  'ACME;Anne;Martin;06 12 34 56 78;anne@acme.fr',
  'ACME;Bruno;Petit;06 98 76 54 32;',
  'Globex;Chloé;Roux;07 81 22 33 44;chloe@globex.fr',
  'Globex;Denis;Blanc;;denis@globex.fr',
  'Initech;Emma;Noir;07 55 66 77 88;',
];

/**
 * New rows are written by COPY without a look-up, on the strength of what the organization had when the
 * import began. A prospect written meanwhile by someone else must still be found: these imports create
 * one with Bruno's number once the import has read what the organization has, before its rows arrive.
 */
describe.each(databases)('fast rows of an import on $name', ({ open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(() => database.close());

  async function importWithInterloper(mode: 'partial', threaded: boolean) {
    const org = await newOrg(database);
    const ctx = systemCtx(database.db, org.orgId);
    const job = await createJob(database.db, { orgId: org.orgId, kind: 'import', status: 'running' });
    let opened = 0;
    const run = await runImport({
      ctx,
      jobId: job.id,
      // With its delimiter given, the file's first chunk is read on its own, before the keys are.
      options: importOptionsSchema.parse({ mode, delimiter: ';' }),
      encoding: 'utf-8',
      open: async function* () {
        opened++;
        yield Buffer.from(HEADER);
        // The interloper comes once the import has read the organization's keys.
        if (opened === 1) {
          await createProspect(ctx, {
            firstName: 'Bruno',
            contactPoints: [{ value: '+33698765432' }],
            attributes: { source: 'appel entrant' },
          });
        }
        yield Buffer.from(`${ROWS.join('\n')}\n`);
      },
      bytesTotal: null,
      batchSize: 2,
      checkpoint: 0,
      threaded,
      defaultCountry: 'FR',
      now: new Date(),
    });
    return { org, run };
  }

  // An atomic import reads the keys and writes under the organization's lock: no one comes between.
  for (const threaded of [true, false]) {
    it(`finds a prospect created during an import (${threaded ? 'worker' : 'inline'}) instead of copying a second one`, async () => {
      const { org, run } = await importWithInterloper('partial', threaded);
      expect(run.status).toBe('succeeded');
      expect(run.result.counts).toMatchObject({ rows: 5, created: 4, updated: 1, rejected: 0 });
      const people = await queryRows<{ first_name: string; last_name: string | null; n: number }>(
        database.db,
        sql`SELECT p.first_name, p.last_name, jsonb_array_length(p.contact_points) AS n FROM prospects p
            WHERE p.org_id = ${org.orgId} ORDER BY p.first_name`,
      );
      expect(people).toEqual([
        { first_name: 'Anne', last_name: 'Martin', n: 2 },
        { first_name: 'Bruno', last_name: 'Petit', n: 1 },
        { first_name: 'Chloé', last_name: 'Roux', n: 2 },
        { first_name: 'Denis', last_name: 'Blanc', n: 1 },
        { first_name: 'Emma', last_name: 'Noir', n: 1 },
      ]);
      const [bruno] = await queryRows<{ prospect_ids: string[] }>(
        database.db,
        sql`SELECT prospect_ids FROM contact_points WHERE org_id = ${org.orgId} AND value = '+33698765432'`,
      );
      expect(bruno!.prospect_ids).toHaveLength(1);
      const [companies] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM companies WHERE org_id = ${org.orgId}`,
      );
      expect(companies!.n).toBe(3);
    });
  }

  it.each(['partial', 'atomic'] as const)(
    'reads what the organization has before writing fast rows: a %s re-import updates everyone',
    async (mode) => {
      const { org } = await importWithInterloper('partial', false);
      const ctx = systemCtx(database.db, org.orgId);
      const job = await createJob(database.db, { orgId: org.orgId, kind: 'import', status: 'running' });
      const again = await runImport({
        ctx,
        jobId: job.id,
        options: importOptionsSchema.parse({ mode }),
        encoding: 'utf-8',
        open: async function* () {
          yield Buffer.from(`${HEADER}${ROWS.join('\n')}\n`);
        },
        bytesTotal: null,
        batchSize: 2,
        checkpoint: 0,
        threaded: true,
        defaultCountry: 'FR',
        now: new Date(),
      });
      expect(again.result.counts).toMatchObject({ rows: 5, created: 0, updated: 5 });
      const [n] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM prospects WHERE org_id = ${org.orgId}`,
      );
      expect(n!.n).toBe(5);
    },
  );
});
