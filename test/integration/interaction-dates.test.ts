import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
import { toInteractionRecord } from '../../src/imports/interaction-records';
import { planColumns } from '../../src/imports/plan';
import { parseInteractionType, stopAskedBy } from '../../src/interactions/types';
import { call, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';
import { bytes } from '../helpers/files';

const csv = (key: string, body: string, query = 'target=interactions') =>
  [`/v1/imports?${query}`, { key, body: bytes(body), headers: { 'content-type': 'text/csv' } }] as const;

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

describe.each(databases)('interaction imports: dates, words and placeholders, on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await open();
    app = testApp(database);
  });
  afterAll(() => database.close());

  /** A fresh organization with Anne (06 12 34 56 78) and Paul (04 72 00 00 02). */
  async function twoPeople(): Promise<TestOrg> {
    const org = await newOrg(database);
    const people = lines(
      'Prénom;Nom;E-mail;Téléphone',
      'Anne;Roy;anne@roy.fr;06 12 34 56 78',
      'Paul;Blanc;paul@blanc.fr;04 72 00 00 02',
    );
    const created = await call(app, 'POST', ...csv(org.manager, people, ''));
    expect(created.body.result.counts).toMatchObject({ created: 2 });
    return org;
  }

  /** Imports events, a row a line after the header. */
  const importEvents = (org: TestOrg, ...rows: string[]) =>
    call(app, 'POST', ...csv(org.marketer, lines(...rows)));

  const events = async (org: TestOrg) =>
    (await call(app, 'GET', '/v1/interactions?limit=100', { key: org.caller })).body.data as {
      type: string;
      occurredAt: string;
      outcome: string | null;
    }[];

  it('puts the time column on the date column, as dialers export calls', async () => {
    const org = await twoPeople();
    const french = await importEvents(
      org,
      'Date;Heure;Type;Téléphone;Résultat',
      '20/11/2026;14:30;Appel;06 12 34 56 78;pas de réponse',
      '20/11/2026 00:00;9h05;Appel;06 12 34 56 78;pas de réponse',
      '20/11/2026;midi;Appel;06 12 34 56 78;pas de réponse',
    );
    expect(french.body.result.columns.mapped).toEqual(
      expect.arrayContaining([
        { column: 'Date', field: 'occurredAt', source: 'auto' },
        { column: 'Heure', field: 'time', source: 'auto' },
      ]),
    );
    expect(french.body.result.counts).toMatchObject({ created: 2, rejected: 1 });
    expect(french.body.result.rejected).toEqual([
      { line: 4, field: 'time', message: 'line 4: time "midi" is not a time of day (e.g. 14:30 or 2:30 PM)' },
    ]);
    const american = await call(
      app,
      'POST',
      ...csv(
        org.marketer,
        lines('Call Date,Call Time,Type,Phone', '11/20/2026,2:30 PM,call,04 72 00 00 02'),
        'target=interactions&dateOrder=mdy&timeZone=America/New_York',
      ),
    );
    const plain = await call(
      app,
      'POST',
      ...csv(org.marketer, lines('Date,Time,Type,Email', '2026-11-21,09:15,email_sent,paul@blanc.fr')),
    );
    expect([american.body.result.counts.created, plain.body.result.counts.created]).toEqual([1, 1]);
    expect((await events(org)).map((e) => e.occurredAt).sort()).toEqual([
      '2026-11-20T08:05:00.000Z',
      '2026-11-20T13:30:00.000Z',
      '2026-11-20T19:30:00.000Z',
      '2026-11-21T08:15:00.000Z',
    ]);
  });

  it('reads the dates exports write: PostgreSQL, one-digit hours, slashes, a comma, UTC', async () => {
    const org = await twoPeople();
    const imported = await call(
      app,
      'POST',
      ...csv(
        org.marketer,
        lines(
          'Date;Type;E-mail',
          '2026-11-20 09:00:00+01;email_sent;anne@roy.fr',
          '2026-11-20 9:01;email_opened;anne@roy.fr',
          '2026/11/20;email_delivered;anne@roy.fr',
          '2026/11/20 09:02;email_clicked;anne@roy.fr',
          '20/11/2026, 09:03;email_replied;anne@roy.fr',
          '2026-11-20 09:04 UTC;note;anne@roy.fr',
          '2026-11-20 09:05 GMT;meeting_booked;anne@roy.fr',
        ),
      ),
    );
    expect(imported.body.result.counts).toMatchObject({ created: 7, rejected: 0 });
    const at = Object.fromEntries((await events(org)).map((e) => [e.type, e.occurredAt]));
    expect(at).toEqual({
      email_sent: '2026-11-20T08:00:00.000Z',
      email_opened: '2026-11-20T08:01:00.000Z',
      email_delivered: '2026-11-19T23:00:00.000Z',
      email_clicked: '2026-11-20T08:02:00.000Z',
      email_replied: '2026-11-20T08:03:00.000Z',
      note: '2026-11-20T09:04:00.000Z',
      meeting_booked: '2026-11-20T09:05:00.000Z',
    });
  });

  it("reads lemlist's and Brevo's event names", async () => {
    const org = await twoPeople();
    const names = [
      ['emailsSent', 'email_sent'],
      ['emailsOpened', 'email_opened'],
      ['emailsClicked', 'email_clicked'],
      ['emailsReplied', 'email_replied'],
      ['emailsBounced', 'email_bounced'],
      ['emailsUnsubscribed', 'opt_out'],
      ['Delivered', 'email_delivered'],
      ['Hard bounce', 'email_bounced'],
      ['Soft bounce', 'email_deferred'],
      ['soft_bounce', 'email_deferred'],
      ['Unsubscribed', 'opt_out'],
      ['Marked as spam', 'complaint'],
    ];
    const imported = await importEvents(
      org,
      'Date,Event,Email',
      ...names.map(([name], i) => `2026-11-0${(i % 9) + 1} 10:${10 + i},${name},paul@blanc.fr`),
    );
    expect(imported.body.result.counts).toMatchObject({ created: names.length, rejected: 0 });
    expect((await events(org)).map((e) => e.type).sort()).toEqual(names.map(([, type]) => type).sort());
  });

  it("keeps how a reply went when lemlist's event name says it, unless the row states an outcome", async () => {
    const org = await twoPeople();
    const imported = await importEvents(
      org,
      'Date,Event,Email,Outcome',
      '2026-11-02 10:00,emailsInterested,paul@blanc.fr,',
      '2026-11-03 10:00,emailsNotInterested,paul@blanc.fr,',
      '2026-11-04 10:00,emailsNotInterested,paul@blanc.fr,wrong person',
    );
    expect(imported.body.result.counts).toMatchObject({ created: 3, rejected: 0 });
    expect((await events(org)).map((e) => [e.type, e.outcome]).sort()).toEqual([
      ['email_replied', 'interested'],
      ['email_replied', 'not_interested'],
      ['email_replied', 'wrong person'],
    ]);
  });

  it('reads n/a, -, none, néant… in an e-mail or phone cell as empty', async () => {
    const org = await twoPeople();
    const placeholders = ['n/a', 'N/A', '-', '--', 'none', 'null', 'néant'];
    const imported = await importEvents(
      org,
      'Date;Type;E-mail;Téléphone',
      ...placeholders.map((p, i) => `0${i + 1}/11/2026 10:00;Appel;${p};06 12 34 56 78`),
      '01/11/2026 11:00;email_sent;anne@roy.fr;N/A',
      '01/11/2026 12:00;Appel;n/a;-',
    );
    expect(imported.body.result.counts).toMatchObject({ created: placeholders.length + 1, rejected: 1 });
    expect(imported.body.result.rejected).toEqual([
      {
        line: 10,
        message: 'line 10: no prospect id, CRM id, e-mail or phone says whom the event concerns',
      },
    ]);
  });

  it('honours a do-not-call disposition as an opt-out from calls, and keeps the call as it was', async () => {
    const org = await twoPeople();
    const imported = await importEvents(
      org,
      'Date;Type;Téléphone;Résultat',
      '03/11/2026 10:00;Appel abouti;04 72 00 00 02;Ne plus appeler',
      '03/11/2026 11:00;Appel abouti;06 12 34 56 78;Pas intéressé',
    );
    expect(imported.body.result.counts).toMatchObject({ created: 2 });
    expect((await events(org)).map((e) => [e.type, e.outcome]).sort()).toEqual([
      ['call_answered', 'Ne plus appeler'],
      ['call_answered', 'Pas intéressé'],
    ]);
    const entries = (await call(app, 'GET', '/v1/suppressions', { key: org.manager })).body.data;
    expect(
      entries.map((e: { scope: string; channel: string; hint: string }) => [e.scope, e.channel]).sort(),
    ).toEqual([
      ['contact_point', 'phone'],
      ['person', 'phone'],
    ]);
    const check = (value: string) =>
      call(app, 'GET', `/v1/suppressions/check?value=${encodeURIComponent(value)}`, { key: org.manager });
    expect((await check('04 72 00 00 02')).body.suppressed).toBe(true);
    expect((await check('06 12 34 56 78')).body.suppressed).toBe(false);
  });
});

describe('an interaction row', () => {
  const reading = {
    defaultCountry: 'FR',
    dates: { timeZone: 'Europe/Paris', dayFirst: true },
    now: new Date('2026-11-29T12:00:00Z'),
  };
  const planOf = (headers: string[]) => {
    const planned = planColumns('interactions', headers);
    if ('errors' in planned) throw new Error(JSON.stringify(planned.errors));
    return planned.plan;
  };
  const read = (headers: string[], cells: string[], options = {}) => {
    const result = toInteractionRecord(cells, 2, planOf(headers), { ...reading, ...options });
    return result.kind === 'record'
      ? { type: result.record.type, at: result.record.occurredAt.toISOString() }
      : result;
  };

  it('takes a time column of full date-times as the date, and refuses a time on another day', () => {
    expect(read(['E-mail', 'Type', 'Time'], ['a@b.fr', 'Appel', '20/11/2026 14:30'])).toEqual({
      type: 'call_attempted',
      at: '2026-11-20T13:30:00.000Z',
    });
    expect(
      read(['E-mail', 'Type', 'Date', 'Time'], ['a@b.fr', 'Appel', '20/11/2026', '2026-11-20T14:30:00Z']),
    ).toEqual({ type: 'call_attempted', at: '2026-11-20T14:30:00.000Z' });
    expect(
      read(['E-mail', 'Type', 'Date', 'Time'], ['a@b.fr', 'Appel', '21/11/2026', '20/11/2026 14:30']),
    ).toMatchObject({
      kind: 'rejected',
      error: { field: 'time', message: expect.stringContaining('different days') },
    });
    expect(
      read(['E-mail', 'Type', 'Date', 'Heure'], ['a@b.fr', 'Appel', '20/11/2026 10:00', '14:30']),
    ).toMatchObject({
      kind: 'rejected',
      error: { field: 'time', message: expect.stringContaining('different times') },
    });
    expect(read(['E-mail', 'Type', 'Heure'], ['a@b.fr', 'Appel', '14:30'])).toMatchObject({
      kind: 'rejected',
      error: { field: 'occurredAt', message: 'line 2: the date is missing: time "14:30" says no day' },
    });
  });

  it("takes the import's type for rows without one", () => {
    const headers = ['Téléphone', 'Date'];
    expect(read(headers, ['06 12 34 56 78', '20/11/2026 14:30'])).toMatchObject({
      kind: 'rejected',
      error: { field: 'type', message: expect.stringContaining('type=call_attempted') },
    });
    expect(read(headers, ['06 12 34 56 78', '20/11/2026 14:30'], { defaultType: 'call_attempted' })).toEqual({
      type: 'call_attempted',
      at: '2026-11-20T13:30:00.000Z',
    });
    // A type cell, when there is one, says more than the option.
    expect(
      read(['Type', ...headers], ['Messagerie', '06 12 34 56 78', '20/11/2026 14:30'], {
        defaultType: 'call_attempted',
      }),
    ).toMatchObject({ type: 'voicemail_left' });
  });

  it('refuses a channel that contradicts the type', () => {
    expect(
      read(['E-mail', 'Type', 'Canal', 'Date'], ['a@b.fr', 'Ouverture', 'Téléphone', '20/11/2026']),
    ).toMatchObject({
      kind: 'rejected',
      error: {
        field: 'channel',
        message: 'line 2: channel "Téléphone": email_opened happens on the email channel, not phone',
      },
    });
    expect(
      read(['E-mail', 'Type', 'Canal', 'Date'], ['a@b.fr', 'RDV', 'Téléphone', '20/11/2026']),
    ).toMatchObject({
      type: 'meeting_booked',
    });
  });
});

describe('words of mailers and dialers', () => {
  it.each([
    ['emailsOpened', 'email_opened'],
    ['emailsUnsubscribed', 'opt_out'],
    ['Marked as spam', 'complaint'],
    ['Hard bounce', 'email_bounced'],
    ['Delivered', 'email_delivered'],
    ['linkedinSent', 'linkedin_message'],
    ['linkedinInviteDone', 'linkedin_message'],
    ['First opening', 'email_opened'],
    ['unique_opened', 'email_opened'],
    ['Loaded by proxy', 'email_delivered'],
    ['Blocked', 'email_bounced'],
    ['soft_bounce', 'email_deferred'],
    ['emailsNotInterested', 'email_replied'],
  ])('%s is %s', (name, type) => expect(parseInteractionType(name)).toBe(type));

  const stopOf = (outcome: string, channel: 'phone' | 'email' | 'other' = 'phone') =>
    stopAskedBy({ type: channel === 'email' ? 'email_replied' : 'call_answered', channel, outcome });

  it.each([
    'Ne plus appeler',
    'NE PLUS M’APPELER',
    'Do not call',
    "Don't call",
    'DNC',
    'Refus - DNC',
    'Remove from list',
  ])('%j stops calls', (outcome) => expect(stopOf(outcome)).toBe('phone'));

  it.each(['Refusé', 'Not interested', 'Pas intéressé', 'rappeler', 'no answer', 'Ne pas appeler avant 14h'])(
    '%j stops nothing',
    (outcome) => expect(stopOf(outcome)).toBeUndefined(),
  );

  it('stops e-mails for "remove from list" on an e-mail, calls for "DNC" on anything', () => {
    expect(stopOf('Remove from list', 'email')).toBe('email');
    expect(stopOf('DNC', 'email')).toBe('phone');
    expect(stopOf('DNC', 'other')).toBe('phone');
    expect(stopAskedBy({ type: 'opt_out', channel: 'phone', outcome: 'DNC' })).toBeUndefined();
  });
});
