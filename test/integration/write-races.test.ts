import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/context';
import { type Database, queryRows } from '../../src/db';
import type { JobRunner } from '../../src/jobs/runner';
import { type CompanyCache, upsertCompanies } from '../../src/prospects/batch-companies';
import { companyDedupeKey } from '../../src/prospects/drafts';
import { call, makeRunner, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';
import { waitFor } from '../helpers/wait';

/**
 * Writers that race on one person or one key, as several callers and an import do on a Monday morning:
 * each ends in an answer a client can act on (204, 201, 409, 404), never a 500, and no erased person's
 * data stays behind. On PGlite (one connection) the races run one after the other and the answers must
 * be the same.
 */
describe.each(databases)('writers racing on one person or key on $name', ({ open }) => {
  let database: Database;
  let runner: JobRunner;
  let app: TestApp;
  let org: TestOrg;
  let campaignId: string;

  beforeAll(async () => {
    database = await open({ poolSize: 8 });
    runner = makeRunner(database, undefined, { pollMs: 20 });
    app = testApp(database, {}, runner);
    org = await newOrg(database);
    runner.start();
    const campaign = await call(app, 'POST', '/v1/campaigns', {
      key: org.marketer,
      json: { name: 'Courses', idealProfile: { titles: { keywords: ['achat'], points: 10 } } },
    });
    expect(campaign.status).toBe(201);
    campaignId = campaign.body.id;
  });
  afterAll(async () => {
    await runner.stop();
    await database.close();
  });

  const person = async (lastName: string, phone: string, firstName = 'Jean') => {
    const created = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { firstName, lastName, jobTitle: 'Acheteur', contactPoints: [{ value: phone }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };
  const statuses = (responses: { status: number }[]) => responses.map((r) => r.status).sort();

  it('deletes people while the queue rescores their new events, without a deadlock', async () => {
    const ids = await Promise.all(
      Array.from({ length: 80 }, (_, i) => person(`Effacé${i}`, `06 40 ${String(10 + i)} 00 00`)),
    );
    const answers = await Promise.all(
      ids.map(async (prospectId) => {
        const items = [1, 2, 3].map((d) => ({
          prospectId,
          type: 'email_opened',
          occurredAt: new Date(Date.now() - d * 3_600_000).toISOString(),
        }));
        await call(app, 'POST', '/v1/interactions', { key: org.caller, json: { items } });
        return call(app, 'DELETE', `/v1/prospects/${prospectId}`, { key: org.manager });
      }),
    );
    expect(statuses(answers)).toEqual(ids.map(() => 204));
    await waitFor(async () => {
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM jobs WHERE org_id = ${org.orgId} AND status IN ('queued', 'running')`,
      );
      return row!.n === 0 ? true : undefined;
    });
    const failed = await queryRows<{ id: string }>(
      database.db,
      sql`SELECT id FROM jobs WHERE org_id = ${org.orgId} AND status = 'failed'`,
    );
    expect(failed).toEqual([]);
  });

  it('answers 409 to the second of two writers giving one key at once, never 500', async () => {
    for (let round = 0; round < 4; round++) {
      const [a, b] = [
        await person(`Doublon${round}`, `06 41 00 ${10 + round} 01`),
        await person(`Doublon${round}`, `06 41 00 ${10 + round} 02`),
      ];
      // One address for two records of the same names: the second is the same person again.
      const added = await Promise.all(
        [a, b].map((id) =>
          call(app, 'POST', `/v1/prospects/${id}/contact-points`, {
            key: org.manager,
            json: { value: `jean.doublon${round}@exemple.fr` },
          }),
        ),
      );
      expect(statuses(added)).toEqual([201, 409]);
      // One CRM id for two records.
      const patched = await Promise.all(
        [a, b].map((id) =>
          call(app, 'PATCH', `/v1/prospects/${id}`, {
            key: org.manager,
            json: { externalId: `crm-${round}` },
          }),
        ),
      );
      expect(statuses(patched)).toEqual([200, 409]);
      // One SIREN for two companies.
      const companies = await Promise.all(
        ['Alpha', 'Beta'].map(
          async (name) =>
            (
              await call(app, 'POST', '/v1/companies', {
                key: org.manager,
                json: { name: `${name} ${round}` },
              })
            ).body.id as string,
        ),
      );
      const registered = await Promise.all(
        companies.map((id) =>
          call(app, 'PATCH', `/v1/companies/${id}`, {
            key: org.manager,
            json: { registrationId: `55208131${round}`, country: 'FR' },
          }),
        ),
      );
      expect(statuses(registered)).toEqual([200, 409]);
    }
  });

  it('writes again a company deleted between two batches of an import, not its old id', async () => {
    const ctx = systemCtx(database.db, org.orgId);
    const cache: CompanyCache = new Map();
    const company = { name: 'Passagère SA', country: 'FR', attributes: {} };
    const keyed = [{ ...company, dedupeKey: companyDedupeKey(company), signature: 'Passagère SA;FR' }];
    const first = await upsertCompanies(ctx, keyed, cache);
    const id = first.ids.get(keyed[0]!.dedupeKey)!;
    expect((await call(app, 'DELETE', `/v1/companies/${id}`, { key: org.manager })).status).toBe(204);
    const second = await upsertCompanies(ctx, keyed, cache);
    const again = second.ids.get(keyed[0]!.dedupeKey)!;
    expect(again).not.toBe(id);
    expect((await call(app, 'GET', `/v1/companies/${again}`, { key: org.caller })).body.name).toBe(
      'Passagère SA',
    );
  });

  it('never lists someone deleted while the list was made', async () => {
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) => person(`Listé${i}`, `06 43 ${String(10 + i)} 00 00`)),
    );
    await waitFor(async () => {
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM prospect_scores WHERE org_id = ${org.orgId}
              AND prospect_id = ANY(${sql.param(ids)}::uuid[])`,
      );
      return row!.n === ids.length ? true : undefined;
    });
    await Promise.all([
      ...ids.map((id) => call(app, 'DELETE', `/v1/prospects/${id}`, { key: org.manager })),
      ...[1, 2, 3].map((n) =>
        call(app, 'POST', '/v1/lists', {
          key: org.marketer,
          json: { name: `Course ${n}`, campaignId, criteria: {}, limit: 1000 },
        }),
      ),
    ]);
    const dangling = await queryRows<{ id: string }>(
      database.db,
      sql`SELECT m.prospect_id AS id FROM prospect_list_members m WHERE m.org_id = ${org.orgId}
            AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.org_id = m.org_id AND p.id = m.prospect_id)`,
    );
    expect(dangling).toEqual([]);
    const sizes = await queryRows<{ size: number; members: number }>(
      database.db,
      sql`SELECT l.size, (SELECT count(*)::int FROM prospect_list_members m WHERE m.org_id = l.org_id AND m.list_id = l.id) AS members
          FROM prospect_lists l WHERE l.org_id = ${org.orgId}`,
    );
    for (const { size, members } of sizes) expect(size).toBe(members);
  });

  it('leaves nothing of a person erased while events about them arrive', async () => {
    for (let round = 0; round < 6; round++) {
      const id = await person(`Secret${round}`, `06 42 00 ${10 + round} 00`);
      const [erased, noted] = await Promise.all([
        call(app, 'DELETE', `/v1/prospects/${id}?erase=true`, { key: org.admin }),
        call(app, 'POST', '/v1/interactions', {
          key: org.caller,
          json: {
            prospectId: id,
            type: 'form_submitted',
            note: 'habite 3 rue des Lilas',
            occurredAt: new Date().toISOString(),
          },
        }),
      ]);
      expect(erased.status).toBe(200);
      // The event came first and was erased with the person, or came after and found nobody.
      expect([201, 400, 404]).toContain(noted.status);
    }
    const orphans = await queryRows<{ id: string }>(
      database.db,
      sql`SELECT i.id FROM interactions i WHERE i.org_id = ${org.orgId}
            AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.org_id = i.org_id AND p.id = i.prospect_id)`,
    );
    expect(orphans).toEqual([]);
  });
});
