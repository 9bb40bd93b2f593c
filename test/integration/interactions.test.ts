import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
import { call, newOrg, orgApp, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('interactions on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  let prospectId: string;
  let contactPointId: string;

  beforeAll(async () => {
    database = await open();
    app = testApp(database);
    org = await newOrg(database);
    const created = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Morel', contactPoints: [{ value: '06 12 34 56 78' }] },
    });
    prospectId = created.body.id;
    contactPointId = created.body.contactPoints[0].id;
  });
  afterAll(() => database.close());

  it('records one event, with the channel following from its type', async () => {
    const response = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: {
        prospectId,
        contactPointId,
        type: 'call_attempted',
        occurredAt: '2026-11-20T09:00:00+01:00',
        outcome: 'no_answer',
        campaign: 'Q4',
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      created: [
        expect.objectContaining({
          prospectId,
          contactPointId,
          type: 'call_attempted',
          channel: 'phone',
          occurredAt: '2026-11-20T08:00:00.000Z',
          outcome: 'no_answer',
          campaign: 'Q4',
          source: 'api',
        }),
      ],
      duplicates: 0,
    });
  });

  it('records a batch all or nothing, naming the item at fault', async () => {
    const other = await newOrg(database);
    const foreign = await call(app, 'POST', '/v1/prospects', {
      key: other.manager,
      json: { lastName: 'Ailleurs' },
    });
    const bad = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: {
        items: [
          { prospectId, type: 'email_sent' },
          { prospectId: foreign.body.id, type: 'email_opened' },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'items[1].prospectId', message: `no prospect ${foreign.body.id}` },
    ]);
    const before = await call(app, 'GET', `/v1/interactions?prospectId=${prospectId}&type=email_sent`, {
      key: org.caller,
    });
    expect(before.body.data).toEqual([]);

    const invalid = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: { items: [{ prospectId, type: 'telepathy', occurredAt: 'yesterday' }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body:items[0].occurredAt',
      'body:items[0].type',
    ]);
    // Two bad items of a batch: each named by its place.
    const two = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: { items: [{ prospectId, type: 'bogus' }, { type: 'note' }] },
    });
    expect(two.status).toBe(400);
    expect(two.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body:items[0].type',
      'body:items[1].prospectId',
    ]);
    // A field the API does not know is a mistake to say, not to drop; so is a date a year ahead.
    const unknown = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: { prospectId, type: 'email_sent', campaignId: prospectId },
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain('campaignId');
    const ahead = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: { items: [{ prospectId, type: 'meeting_booked', occurredAt: '2099-11-30T10:00:00Z' }] },
    });
    expect(ahead.status).toBe(400);
    expect(ahead.body.errors).toEqual([
      { field: 'body:items[0].occurredAt', message: 'is more than a day in the future' },
    ]);
  });

  it("refuses a contact point that is not the person's, or that the event's channel cannot use", async () => {
    const other = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: {
        lastName: 'Voisin',
        contactPoints: [{ value: '06 98 76 54 32' }, { value: 'voisin@exemple.fr' }],
      },
    });
    const [phone, email] = other.body.contactPoints.map((c: { id: string }) => c.id);
    const post = (json: Record<string, unknown>) =>
      call(app, 'POST', '/v1/interactions', { key: org.caller, json: { type: 'opt_out', ...json } });
    // Morel's opt-out by Voisin's number would stop calls to Voisin.
    const theirs = await post({ prospectId, contactPointId: phone, channel: 'phone' });
    expect(theirs.status).toBe(400);
    expect(theirs.body.errors).toEqual([
      { field: 'contactPointId', message: `contact point ${phone} is not prospect ${prospectId}'s` },
    ]);
    const byMail = await post({ prospectId: other.body.id, contactPointId: email, type: 'call_attempted' });
    expect(byMail.body.errors).toEqual([
      { field: 'contactPointId', message: 'an e-mail address cannot carry an event on the phone channel' },
    ]);
    const check = await call(app, 'GET', '/v1/suppressions/check?value=0698765432', { key: org.manager });
    expect(check.body.suppressed).toBe(false);
    const fits = await post({
      prospectId: other.body.id,
      contactPointId: phone,
      channel: 'sms',
      occurredAt: '2026-10-01T10:00:00Z',
    });
    expect(fits.status).toBe(201);
  });

  it("records nothing twice: by the event's externalId, and by Idempotency-Key", async () => {
    const item = {
      prospectId,
      type: 'email_opened',
      occurredAt: '2026-11-21T10:00:00Z',
      externalId: 'mailer-evt-9',
    };
    const first = await call(app, 'POST', '/v1/interactions', {
      key: org.marketer,
      json: { items: [item, { ...item, externalId: 'mailer-evt-10' }] },
    });
    expect(first.body.created).toHaveLength(2);
    const replay = await call(app, 'POST', '/v1/interactions', {
      key: org.marketer,
      json: { items: [item] },
    });
    expect(replay.body).toEqual({ created: [], duplicates: 1 });
    // An id is its source's for one kind of event: the message's click, and a dialer's call 9, are others.
    const others = await call(app, 'POST', '/v1/interactions', {
      key: org.marketer,
      json: {
        items: [
          { ...item, type: 'email_clicked' },
          { ...item, type: 'call_attempted', externalId: '9' },
          { ...item, type: 'email_sent', externalId: '9' },
        ],
      },
    });
    expect(others.body.created.map((c: { type: string }) => c.type)).toEqual([
      'email_clicked',
      'call_attempted',
      'email_sent',
    ]);

    const body = { prospectId, type: 'note', note: 'Rappeler après les fêtes' };
    const a = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: body,
      headers: { 'idempotency-key': 'note-1' },
    });
    const b = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: body,
      headers: { 'idempotency-key': 'note-1' },
    });
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body.created[0].id).toBe(a.body.created[0].id);
    const notes = await call(app, 'GET', `/v1/interactions?prospectId=${prospectId}&type=note`, {
      key: org.caller,
    });
    expect(notes.body.data).toHaveLength(1);
    const clash = await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: { ...body, note: 'autre' },
      headers: { 'idempotency-key': 'note-1' },
    });
    expect(clash.status).toBe(422);
    // A refusal is final too, and said as replayed when asked again.
    const unknownPerson = { prospectId: '01a22709-4079-7007-93dc-3ad69c4667f9', type: 'note' };
    const refused = () =>
      call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: unknownPerson,
        headers: { 'idempotency-key': 'note-2' },
      });
    const once = await refused();
    const twice = await refused();
    expect([once.status, twice.status]).toEqual([400, 400]);
    expect([once.headers.get('idempotent-replayed'), twice.headers.get('idempotent-replayed')]).toEqual([
      null,
      'true',
    ]);
  });

  it('lists events with filters and shows the latest on the prospect', async () => {
    await call(app, 'POST', '/v1/interactions', {
      key: org.caller,
      json: {
        items: [
          { prospectId, type: 'meeting_booked', occurredAt: '2026-11-25T15:00:00Z' },
          { prospectId, type: 'email_replied', occurredAt: '2026-11-24T15:00:00Z', campaign: 'Q4' },
        ],
      },
    });
    const q4 = await call(app, 'GET', '/v1/interactions?campaign=Q4', { key: org.caller });
    expect(q4.body.data.map((i: { type: string }) => i.type)).toEqual(['email_replied', 'call_attempted']);
    const since = await call(app, 'GET', '/v1/interactions?since=2026-11-24T00:00:00Z', { key: org.caller });
    expect(since.body.data.map((i: { type: string }) => i.type).sort()).toEqual([
      'email_replied',
      'meeting_booked',
      'note',
    ]);
    const detail = await call(app, 'GET', `/v1/prospects/${prospectId}`, { key: org.caller });
    expect(detail.body.latestInteractions.slice(0, 2).map((i: { type: string }) => i.type)).toEqual([
      'note',
      'meeting_booked',
    ]);
    const one = await call(app, 'GET', `/v1/interactions/${detail.body.latestInteractions[1].id}`, {
      key: org.caller,
    });
    expect(one.body.type).toBe('meeting_booked');
    const other = await newOrg(database);
    expect((await call(app, 'GET', `/v1/interactions/${one.body.id}`, { key: other.caller })).status).toBe(
      404,
    );
  });

  it('offers no way to change or delete an event', async () => {
    const list = await call(app, 'GET', '/v1/interactions?limit=1', { key: org.admin });
    const id = list.body.data[0].id;
    const patched = await call(app, 'PATCH', `/v1/interactions/${id}`, {
      key: org.admin,
      json: { outcome: 'x' },
    });
    expect([patched.status, patched.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await call(app, 'DELETE', `/v1/interactions/${id}`, { key: org.admin })).status).toBe(405);
  });
});

describe.each(databases)('what an event must say, on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  let prospectId: string;
  let phoneId: string;
  beforeAll(async () => {
    ({ database, app, org } = await orgApp(open));
    const created = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: {
        lastName: 'Strict',
        contactPoints: [{ value: '06 11 22 33 44' }, { value: 'strict@exemple.fr' }],
      },
    });
    prospectId = created.body.id;
    phoneId = created.body.contactPoints.find((c: { channel: string }) => c.channel === 'phone').id;
  });
  afterAll(() => database.close());

  const post = (json: Record<string, unknown>) =>
    call(app, 'POST', '/v1/interactions', { key: org.caller, json });
  const fieldsOf = (body: { errors?: { field: string }[] }) => body.errors?.map((e) => e.field);
  const recorded = async () =>
    (await call(app, 'GET', `/v1/interactions?prospectId=${prospectId}&limit=100`, { key: org.caller })).body
      .data;

  it('takes occurredAt only as an ISO 8601 date-time with an offset, and records none of the others', async () => {
    // Each was stored, misread by JavaScript's loose reading (2001-01-01, 1970…), or made a 500.
    const loose = [
      '1',
      '5/11',
      '11/05/2026',
      '2026-02-31T10:00:00Z',
      '0099-05-05T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '2026-11-20',
      1764500000,
      null,
      true,
    ];
    for (const occurredAt of loose) {
      const response = await post({ prospectId, type: 'note', occurredAt });
      expect([occurredAt, response.status, fieldsOf(response.body)]).toEqual([
        occurredAt,
        400,
        ['body:occurredAt'],
      ]);
    }
    const local = await post({ prospectId, type: 'note', occurredAt: '2026-11-20T09:00:00' });
    expect(local.body.errors).toEqual([
      {
        field: 'body:occurredAt',
        message:
          'has no offset, so the instant depends on where it was written: add Z (UTC) or an offset, e.g. "+01:00"',
      },
    ]);
    const march = await post({ prospectId, type: 'note', occurredAt: '2026-02-31T10:00:00Z' });
    expect(march.body.errors[0].message).toBe('2026-02-31 is not a day of the calendar');
    const items = [
      '2026-11-20T09:00:00Z',
      '2026-11-20T09:00:00+01:00',
      '2026-11-20T09:00:00.250-05:00',
      '5/11',
    ];
    const batch = await post({
      items: items.map((occurredAt) => ({ prospectId, type: 'note', occurredAt })),
    });
    expect([batch.status, fieldsOf(batch.body)]).toEqual([400, ['body:items[3].occurredAt']]);
    expect(await recorded()).toEqual([]);

    const good = await post({
      items: items.slice(0, 3).map((occurredAt) => ({ prospectId, type: 'note', occurredAt })),
    });
    expect(good.body.created.map((c: { occurredAt: string }) => c.occurredAt)).toEqual([
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T08:00:00.000Z',
      '2026-11-20T14:00:00.250Z',
    ]);
  });

  it('filters by since and until only as strictly', async () => {
    const list = (query: string) => call(app, 'GET', `/v1/interactions?${query}`, { key: org.caller });
    for (const [query, field] of [
      ['since=5/11', 'query:since'],
      ['since=1', 'query:since'],
      ['until=2026-02-31T00:00:00Z', 'query:until'],
      ['until=2026-11-20T09:00:00', 'query:until'],
      ['since=2026-11-20', 'query:since'],
    ]) {
      const response = await list(query!);
      expect([query, response.status, fieldsOf(response.body)]).toEqual([query, 400, [field]]);
    }
    // An offset's "+" left unencoded arrives as a space: said so.
    const plus = await list('since=2026-11-20T09:00:00+01:00');
    expect(plus.body.errors[0].message).toMatch(/write "\+" as %2B/);
    const window = await list(
      `prospectId=${prospectId}&since=2026-11-20T09:00:00%2B01:00&until=2026-11-20T09:00:00Z`,
    );
    expect(window.body.data.map((i: { occurredAt: string }) => i.occurredAt).sort()).toEqual([
      '2026-11-20T08:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
    ]);
  });

  it('refuses a channel that contradicts the type, and leaves types that may come any way free', async () => {
    const at = '2026-11-02T10:00:00Z';
    const opened = await post({ prospectId, type: 'email_opened', channel: 'phone', occurredAt: at });
    expect([opened.status, opened.body.errors]).toEqual([
      400,
      [{ field: 'body:channel', message: 'email_opened happens on the email channel, not phone' }],
    ]);
    const batch = await post({
      items: [
        { prospectId, type: 'call_attempted', channel: 'phone', occurredAt: at },
        { prospectId, type: 'sms_replied', channel: 'email', occurredAt: at },
        { prospectId, type: 'voicemail_left', channel: 'sms', occurredAt: at },
      ],
    });
    expect([batch.status, fieldsOf(batch.body)]).toEqual([
      400,
      ['body:items[1].channel', 'body:items[2].channel'],
    ]);
    const free = await post({
      items: [
        { prospectId, type: 'note', channel: 'phone', occurredAt: at },
        { prospectId, type: 'meeting_held', channel: 'phone', occurredAt: at },
        { prospectId, type: 'form_submitted', channel: 'email', occurredAt: at },
        { prospectId, type: 'web_visit', channel: 'other', occurredAt: at },
        { prospectId, type: 'purchase', channel: 'phone', occurredAt: at },
      ],
    });
    expect(free.status).toBe(201);
  });

  it('honours a call whose outcome asks not to be called again as an opt-out from calls', async () => {
    const response = await post({
      prospectId,
      contactPointId: phoneId,
      type: 'call_answered',
      outcome: 'Ne plus appeler',
      occurredAt: '2026-11-03T10:00:00Z',
    });
    expect(response.body.created[0]).toMatchObject({ type: 'call_answered', outcome: 'Ne plus appeler' });
    const entries = (await call(app, 'GET', '/v1/suppressions', { key: org.manager })).body.data;
    expect(
      entries
        .map((e: { scope: string; channel: string; reason: string }) => [e.scope, e.channel, e.reason])
        .sort(),
    ).toEqual([
      ['contact_point', 'phone', 'opted out'],
      ['person', 'phone', 'opted out'],
    ]);
    expect(
      (await call(app, 'GET', '/v1/suppressions/check?value=strict@exemple.fr', { key: org.manager })).body
        .suppressed,
    ).toBe(false);
  });
});

describe.each(databases)('import field catalogue and contact point edits on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => ({ database, app, org } = await orgApp(open)));
  afterAll(() => database.close());

  it('lists the fields an import fills, with the headers it recognises', async () => {
    const response = await call(app, 'GET', '/v1/imports/fields', { key: org.caller });
    expect(response.status).toBe(200);
    const phone = response.body.prospects.find((f: { field: string }) => f.field === 'phone');
    expect(phone).toMatchObject({
      repeatable: true,
      headers: expect.arrayContaining(['telephone', 'phone']),
    });
    expect(response.body.interactions.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['occurredAt', 'type', 'email']),
    );
    expect((await call(app, 'GET', '/v1/imports/fields')).status).toBe(401);
  });

  it('refuses a contact point status it does not know, and edits by callers', async () => {
    const created = await call(app, 'POST', '/v1/prospects', {
      key: org.manager,
      json: { lastName: 'Vidal', contactPoints: [{ value: 'vidal@exemple.fr' }] },
    });
    const id = created.body.contactPoints[0].id;
    const bad = await call(app, 'PATCH', `/v1/contact-points/${id}`, {
      key: org.manager,
      json: { status: 'maybe' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body:status');
    expect(
      (await call(app, 'PATCH', `/v1/contact-points/${id}`, { key: org.caller, json: { status: 'invalid' } }))
        .status,
    ).toBe(403);
    expect((await call(app, 'GET', '/v1/contact-points?value=not-a-phone', { key: org.caller })).status).toBe(
      400,
    );
    const listed = await call(app, 'GET', '/v1/contact-points?channel=email', { key: org.caller });
    expect(listed.body.data).toEqual([
      expect.objectContaining({ value: 'vidal@exemple.fr', prospectCount: 1 }),
    ]);
  });
});
