import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
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

  it('filters on a trimmed externalId, and refuses an unknown campaign', async () => {
    const one = await batch({ externalId: ' crm-1 ' });
    expect(one.body.total).toBe(1);
    expect((await batch({ externalId: 'nobody' })).body.total).toBe(0);
    expect((await batch({ campaign: '019acb4e-7f6a-7c1e-9a35-1d4b5e2f8a10' })).status).toBe(404);
  });
});
