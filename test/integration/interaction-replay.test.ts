import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { call, orgApp, type TestApp, type TestOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('replaying an event without occurredAt on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  let prospectId: string;
  beforeAll(async () => {
    ({ database, app, org } = await orgApp(open));
    prospectId = (
      await call(app, 'POST', '/v1/prospects', { key: org.manager, json: { lastName: 'Replay' } })
    ).body.id;
  });
  afterAll(() => database.close());

  const send = (json: unknown) => call(app, 'POST', '/v1/interactions', { key: org.manager, json });
  const stored = async (externalId: string) =>
    (
      await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM interactions WHERE org_id = ${org.orgId} AND external_id = ${externalId}`,
      )
    )[0]!.n;

  it('records it once, however often it comes, by type, person and a trimmed externalId', async () => {
    const event = { prospectId, type: 'email_opened', externalId: 'open-1' };
    const first = await send(event);
    expect(first.status).toBe(201);
    expect(first.body.duplicates).toBe(0);
    const again = await send(event);
    expect(again.body).toMatchObject({ created: [], duplicates: 1 });
    expect((await send({ ...event, externalId: ' open-1 ' })).body.duplicates).toBe(1);
    expect((await send({ items: [event, event] })).body.duplicates).toBe(2);
    expect(await stored('open-1')).toBe(1);
    // Another type, or another person, is another event.
    expect((await send({ ...event, type: 'email_clicked' })).body.duplicates).toBe(0);
  });

  it('stores the externalId trimmed, and keeps a twice-sent batch of new events once', async () => {
    const call7 = { prospectId, type: 'call_attempted', externalId: ' call-7 ' };
    const answer = await send({ items: [call7, call7] });
    expect(answer.body.created).toHaveLength(1);
    expect(answer.body.created[0].externalId).toBe('call-7');
    expect((await send({ ...call7, externalId: '   ' })).status).toBe(400);
  });

  it('records concurrent replays once', async () => {
    const event = { prospectId, type: 'web_visit', externalId: 'visit-3' };
    await Promise.all(Array.from({ length: 5 }, () => send(event)));
    expect(await stored('visit-3')).toBe(1);
  });
});
