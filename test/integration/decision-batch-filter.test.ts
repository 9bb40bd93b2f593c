import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
import { readChunk } from '../../src/scoring/inputs';
import { saveScores } from '../../src/scoring/score-saves';
import { computeScores, scoringsOf } from '../../src/scoring/score-writes';
import { call, orgApp, type TestApp, type TestOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('the dry run’s filter on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    ({ database, app, org } = await orgApp(open));
    for (const json of [
      { kind: 'b2b', country: 'GB', externalId: 'crm-1', contactPoints: [{ value: '+44 20 7946 0001' }] },
      { kind: 'b2b', country: 'FR', contactPoints: [{ value: '01 23 45 67 01' }] },
      { kind: 'b2b', country: 'FR', contactPoints: [{ value: '01 23 45 67 02' }] },
    ])
      expect((await call(app, 'POST', '/v1/prospects', { key: org.manager, json })).status).toBe(201);
  });
  afterAll(() => database.close());

  const batch = (filter: Record<string, unknown>) =>
    call(app, 'POST', '/v1/contact-decisions/batch', {
      key: org.manager,
      json: { channel: 'phone', filter, at: '2026-12-07T10:00:00Z' },
    });

  it('refuses a misspelt filter at its own path with the one meant, rather than counting everyone', async () => {
    const answer = await batch({ contry: 'GB' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { field: 'body:filter.contry', message: expect.stringContaining('did you mean country?') },
    ]);
    expect((await batch({ whatever: 1 })).body.errors[0].message).toMatch(/it takes .*updatedSince/);
  });

  it('filters on country, and refuses UK with GB as GET /v1/prospects does', async () => {
    expect((await batch({ country: 'gb' })).body.total).toBe(1);
    const uk = await batch({ country: 'UK' });
    expect(uk.status).toBe(400);
    expect(uk.body.errors).toEqual([
      { field: 'body:filter.country', message: expect.stringContaining('GB') },
    ]);
  });

  it('filters on updatedSince, read strictly', async () => {
    expect((await batch({ updatedSince: '2000-01-01T00:00:00Z' })).body.total).toBe(3);
    expect((await batch({ updatedSince: '2199-01-01T00:00:00Z' })).body.total).toBe(0);
    for (const bad of ['garbage', 1, '2026-02-31T00:00:00Z', '2026-01-01T00:00:00']) {
      const answer = await batch({ updatedSince: bad });
      expect(answer.status, String(bad)).toBe(400);
      expect(answer.body.errors[0].field).toBe('body:filter.updatedSince');
    }
  });

  it('filters on company size, and on scores only with the campaign that gave them', async () => {
    expect((await batch({ segment: 'PME' })).body.total).toBe(0);
    const unscored = await batch({ minScore: 10 });
    expect([unscored.status, unscored.body.errors?.[0]?.field]).toEqual([400, 'filter.campaign']);
    const campaign = await call(app, 'POST', '/v1/campaigns', { key: org.marketer, json: { name: 'Tous' } });
    // Nobody is scored until the campaign's rescoring runs (no job runner here): nobody in the range.
    const none = await batch({ campaign: campaign.body.id, minScore: 0, maxScore: 100 });
    expect([none.status, none.body.total]).toEqual([200, 0]);
    // Scored here as the rescoring job would: everyone has a score, and ranges keep to it.
    const ctx = { db: database.db, orgId: org.orgId, actor: { keyId: null, role: 'admin' as const } };
    const computed = computeScores(
      await scoringsOf(ctx, campaign.body.id),
      await readChunk(database.db, org.orgId, { after: null, limit: 100 }),
      new Date(),
    );
    await database.db.transaction((tx) => saveScores({ ...ctx, db: tx as never }, computed));
    const scores = computed.rows.map((r) => r.score).sort((a, b) => a - b);
    expect((await batch({ campaign: campaign.body.id, minScore: 0, maxScore: 100 })).body.total).toBe(3);
    expect((await batch({ campaign: campaign.body.id, minScore: scores[2]! + 1 })).body.total).toBe(0);
    expect((await batch({ campaign: campaign.body.id, maxScore: scores[2]! })).body.total).toBe(3);
    expect((await batch({ campaign: campaign.body.id, minScore: 101 })).status).toBe(400);
  });

  it('filters on a trimmed externalId, and refuses an unknown campaign', async () => {
    const one = await batch({ externalId: ' crm-1 ' });
    expect(one.body.total).toBe(1);
    expect((await batch({ externalId: 'nobody' })).body.total).toBe(0);
    expect((await batch({ campaign: '019acb4e-7f6a-7c1e-9a35-1d4b5e2f8a10' })).status).toBe(404);
  });
});
