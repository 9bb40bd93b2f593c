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

  it('takes an event first sent without its time as the same one when its time comes later, and says which had none', async () => {
    const untimed = { prospectId, type: 'call_answered', externalId: 'dialer-42', outcome: 'interested' };
    const first = await send(untimed);
    expect(first.body.created[0]).toMatchObject({ externalId: 'dialer-42', timeGiven: false });
    const timed = { ...untimed, occurredAt: '2026-11-20T09:15:00+01:00' };
    expect((await send(timed)).body).toMatchObject({ created: [], duplicates: 1 });
    expect(
      (await send({ items: [timed, { ...timed, occurredAt: '2026-11-21T10:00:00Z' }] })).body,
    ).toMatchObject({
      created: [],
      duplicates: 2,
    });
    expect(await stored('dialer-42')).toBe(1);
    // Another person's event under the same id, or another type, is another event.
    const other = (
      await call(app, 'POST', '/v1/prospects', { key: org.manager, json: { lastName: 'Autre' } })
    ).body.id;
    const elsewhere = await send({
      items: [
        { ...timed, prospectId: other },
        { ...timed, type: 'call_attempted' },
      ],
    });
    expect(elsewhere.body.created).toHaveLength(2);
    expect(elsewhere.body.created.map((e: { timeGiven: boolean }) => e.timeGiven)).toEqual([true, true]);
    // An event recorded with its time still records the same id at another time: two calls of one contact.
    const twice = { prospectId, type: 'voicemail_left', externalId: 'dialer-43' };
    await send({ ...twice, occurredAt: '2026-11-20T09:00:00Z' });
    expect((await send({ ...twice, occurredAt: '2026-11-21T09:00:00Z' })).body.created).toHaveLength(1);
    expect(await stored('dialer-43')).toBe(2);
    // Both in one batch: one event, with the time it gave.
    const both = { prospectId, type: 'email_replied', externalId: 'reply-9' };
    const batch = await send({ items: [both, { ...both, occurredAt: '2026-11-22T08:30:00Z' }, both] });
    expect(batch.body).toMatchObject({ duplicates: 2 });
    expect(batch.body.created).toMatchObject([{ occurredAt: '2026-11-22T08:30:00.000Z', timeGiven: true }]);
  });

  it('keeps out an imported event whose id was recorded without a time, and imports the rest', async () => {
    await send({ prospectId, type: 'meeting_booked', externalId: 'crm-7' });
    const csv = [
      'prospectId,type,occurredAt,eventId',
      `${prospectId},meeting_booked,2026-11-18T14:00:00Z,crm-7`,
      `${prospectId},meeting_booked,2026-11-18T15:00:00Z,crm-8`,
    ].join('\n');
    const imported = await call(app, 'POST', '/v1/imports?target=interactions', {
      key: org.manager,
      body: new TextEncoder().encode(`${csv}\n`),
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.result.counts).toMatchObject({ created: 1, duplicates: 1 });
    expect(await stored('crm-7')).toBe(1);
    expect(await stored('crm-8')).toBe(1);
  });

  it('records concurrent replays once', async () => {
    const event = { prospectId, type: 'web_visit', externalId: 'visit-3' };
    await Promise.all(Array.from({ length: 5 }, () => send(event)));
    expect(await stored('visit-3')).toBe(1);
  });
});
