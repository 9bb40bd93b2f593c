import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/context';
import { type Database, queryRows } from '../../src/db';
import { runImport } from '../../src/imports/engine';
import { emptyFastRows } from '../../src/imports/fast-rows';
import { writeProspectImportBatch } from '../../src/imports/fast-write';
import { importOptionsSchema } from '../../src/imports/options';
import { createJob } from '../../src/jobs/service';
import { newWriteSession } from '../../src/prospects/batch-write';
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
      // The companies written before the conflict are counted once, with the batch that wrote them.
      expect(run.result.counts).toMatchObject({
        rows: 5,
        created: 4,
        updated: 1,
        rejected: 0,
        companiesCreated: 3,
        companiesUpdated: 0,
      });
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
      // The same file again changes nobody: counted as such, and nobody's updatedAt moves.
      expect(again.result.counts).toMatchObject({ rows: 5, created: 0, updated: 0, unchanged: 5 });
      const [n] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM prospects WHERE org_id = ${org.orgId}`,
      );
      expect(n!.n).toBe(5);
    },
  );

  /** Imports `text` (header included) in partial mode with batches of `batchSize` rows, on the worker. */
  async function importText(text: string, batchSize = 500) {
    const org = await newOrg(database);
    const ctx = systemCtx(database.db, org.orgId);
    const job = await createJob(database.db, { orgId: org.orgId, kind: 'import', status: 'running' });
    const run = await runImport({
      ctx,
      jobId: job.id,
      options: importOptionsSchema.parse({ mode: 'partial', delimiter: ';' }),
      encoding: 'utf-8',
      open: async function* () {
        yield Buffer.from(text);
      },
      bytesTotal: null,
      batchSize,
      checkpoint: 0,
      threaded: true,
      defaultCountry: 'FR',
      now: new Date(),
    });
    const people = await queryRows<{
      first_name: string | null;
      last_name: string | null;
      external_id: string | null;
      kind: string;
      phones: string[];
    }>(
      database.db,
      sql`SELECT p.first_name, p.last_name, p.external_id, p.kind,
            coalesce((SELECT array_agg(cp.value ORDER BY cp.value) FROM contact_points cp
                      WHERE cp.org_id = p.org_id AND p.id = ANY(cp.prospect_ids)), '{}') AS phones
          FROM prospects p WHERE p.org_id = ${org.orgId} ORDER BY p.id`,
    );
    return { org, run, people };
  }

  it('imports people with neither a phone nor an e-mail', async () => {
    const { run, people } = await importText('Prénom;Nom;ID CRM\nAnne;Martin;A1\nBruno;Petit;B2\n');
    expect(run.result.counts).toMatchObject({ rows: 2, created: 2, rejected: 0 });
    expect(people.map((p) => p.external_id)).toEqual(['A1', 'B2']);
  });

  it('leaves a company with the values of its last row, whichever path each row took', async () => {
    const { org } = await importText(
      'Société;Prénom;Nom;E-mail;Effectif\n' +
        'Acme;Anne;Martin;anne@acme.fr;10\nAcme;Anne;Martin;anne@acme.fr;20\nAcme;Bob;Roux;bob@acme.fr;10\n',
      1,
    );
    const [acme] = await queryRows<{ employee_count: number }>(
      database.db,
      sql`SELECT employee_count FROM companies WHERE org_id = ${org.orgId}`,
    );
    expect(acme!.employee_count).toBe(10);
  });

  it('matches the rows of one batch with each other as the careful writer does', async () => {
    // A later row with the same e-mail brings a company: within a batch, later values win.
    const merged = await importText(
      'Société;Prénom;Nom;E-mail;ID CRM\n;Anne;Martin;anne@acme.fr;X1\nAcme;Anne;Martin;anne@acme.fr;\n',
    );
    expect(merged.people).toEqual([
      expect.objectContaining({ first_name: 'Anne', external_id: 'X1', kind: 'b2b' }),
    ]);
    // Another CRM id is another record of the CRM, whatever it shares.
    const apart = await importText(
      'Prénom;Nom;E-mail;ID CRM\nAnne;Martin;anne@acme.fr;X1\nAnne;Martin;anne@acme.fr;Y1\n',
    );
    expect(apart.people.map((p) => p.external_id).sort()).toEqual(['X1', 'Y1']);
    // A shared switchboard: the third row, with no first name, goes to the first compatible person.
    const shared = await importText(
      'Prénom;Nom;Téléphone\nAnne;;01 23 45 67 89\nBob;Noir;01 23 45 67 89\n;Noir;01 23 45 67 89\n',
    );
    expect(shared.run.result.counts).toMatchObject({ rows: 3, created: 2, updated: 1 });
    expect(shared.people.map((p) => [p.first_name, p.last_name])).toEqual([
      ['Anne', 'Noir'],
      ['Bob', 'Noir'],
    ]);
  });

  it('writes a batch with care when a company its fast rows point at was deleted meanwhile', async () => {
    const org = await newOrg(database);
    const fast = emptyFastRows();
    fast.count = 1;
    fast.ids.push('01a22709-4079-7007-93dc-3ad69c4667f9');
    fast.companyKeys.push('name:deleted meanwhile|FR');
    fast.kinds.push(null);
    fast.tails.push('never copied');
    const written = await writeProspectImportBatch(
      systemCtx(database.db, org.orgId),
      [],
      fast,
      newWriteSession(),
    );
    expect(written).toEqual({ conflict: { companiesCreated: 0, companiesUpdated: 0 } });
  });
});

/**
 * Events without ids are known by what they say and how many times the file said it before: a third
 * identical call is a third call. An import stopped between two batches and resumed must count the
 * repeats its first attempt wrote, or it takes the next ones for them and drops them.
 */
describe.each(databases)('an interaction import resumed after a stop on $name', ({ open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(() => database.close());

  it('keeps every repeat of an event without an id, on both sides of the checkpoint', async () => {
    const org = await newOrg(database);
    const ctx = systemCtx(database.db, org.orgId);
    await createProspect(ctx, { lastName: 'Roux', contactPoints: [{ value: 'chloe@globex.fr' }] });
    // Six identical calls, then two others: batches of two, stopped after the first.
    const lines = [
      'E-mail;Type;Date;Résultat',
      ...Array.from({ length: 6 }, () => 'chloe@globex.fr;call_attempted;2026-10-05 10:00;no_answer'),
      'chloe@globex.fr;call_answered;2026-10-06 10:00;intéressé',
      'chloe@globex.fr;call_answered;2026-10-06 10:00;intéressé',
    ];
    const job = await createJob(database.db, { orgId: org.orgId, kind: 'import', status: 'running' });
    const attempt = (checkpoint: number, signal?: AbortSignal, onProgress?: () => void) =>
      runImport({
        ctx,
        jobId: job.id,
        options: importOptionsSchema.parse({ target: 'interactions', delimiter: ';' }),
        encoding: 'utf-8',
        open: async function* () {
          yield Buffer.from(`${lines.join('\n')}\n`);
        },
        bytesTotal: null,
        batchSize: 2,
        checkpoint,
        threaded: false,
        defaultCountry: 'FR',
        now: new Date(),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
    const stop = new AbortController();
    await expect(attempt(0, stop.signal, () => stop.abort())).rejects.toThrow();
    const [saved] = await queryRows<{ checkpoint: number }>(
      database.db,
      sql`SELECT checkpoint FROM jobs WHERE id = ${job.id}`,
    );
    expect(saved!.checkpoint).toBe(2);
    const resumed = await attempt(saved!.checkpoint);
    expect(resumed.status).toBe('succeeded');
    const counted = await queryRows<{ type: string; n: number }>(
      database.db,
      sql`SELECT type, count(*)::int AS n FROM interactions WHERE org_id = ${org.orgId} GROUP BY type ORDER BY type`,
    );
    expect(counted).toEqual([
      { type: 'call_answered', n: 2 },
      { type: 'call_attempted', n: 6 },
    ]);
    // The same file again adds nothing: each repeat is known by its rank.
    const again = await attempt(0);
    expect(again.result.counts).toMatchObject({ created: 0, duplicates: 8 });
  });
});
