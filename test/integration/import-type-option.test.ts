import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
import { call, orgApp, type TestApp, type TestOrg } from '../helpers/app';
import { databases } from '../helpers/databases';
import { bytes } from '../helpers/files';

const csv = (key: string, body: string, query: string) =>
  [`/v1/imports?${query}`, { key, body: bytes(body), headers: { 'content-type': 'text/csv' } }] as const;

describe.each(databases)('the import type option and a Time column of date-times, on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => ({ database, app, org } = await orgApp(open)));
  afterAll(() => database.close());
  it('reads a dialer export without a type column with type=call_attempted, and a Start Time of date-times as the date', async () => {
    await call(app, 'POST', ...csv(org.manager, 'Nom;Téléphone\nRoy;06 12 34 56 78\n', ''));
    const dialer = 'Date;Heure;Téléphone;Résultat\n20/11/2026;14:30;06 12 34 56 78;pas de réponse\n';
    const refused = await call(app, 'POST', ...csv(org.marketer, dialer, 'target=interactions'));
    expect(refused.status).toBe(422);
    const typed = await call(
      app,
      'POST',
      ...csv(org.marketer, dialer, 'target=interactions&type=call_attempted'),
    );
    expect(typed.body.result.counts).toMatchObject({ created: 1 });
    const bad = await call(app, 'POST', ...csv(org.marketer, dialer, 'target=interactions&type=Appel'));
    expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'type']);
    // In any case; and never on a prospect import, which has no events.
    const upper = await call(
      app,
      'POST',
      ...csv(org.marketer, dialer, 'target=interactions&type=CALL_ATTEMPTED'),
    );
    expect(upper.body.result.counts).toMatchObject({ duplicates: 1 });
    const prospects = await call(
      app,
      'POST',
      ...csv(org.manager, 'Nom;Téléphone\nRey;06 12 34 56 79\n', 'type=call_attempted'),
    );
    expect([prospects.status, prospects.body.errors?.[0]?.field]).toEqual([400, 'type']);
    const timeOnly = await call(
      app,
      'POST',
      ...csv(
        org.marketer,
        'Start Time,Type,Phone\n2026-11-21 10:00:00+01,call,06 12 34 56 78\n',
        'target=interactions',
      ),
    );
    expect(timeOnly.body.result?.counts).toMatchObject({ created: 1 });
    const list = (await call(app, 'GET', '/v1/interactions', { key: org.caller })).body.data
      .map((i: { occurredAt: string }) => i.occurredAt)
      .sort();
    expect(list).toEqual(['2026-11-20T13:30:00.000Z', '2026-11-21T09:00:00.000Z']);
  });
});
