import { describe, expect, it } from 'vitest';
import {
  atTimeOfDay,
  forcedDayFirst,
  parseDateTime,
  parseTimeOfDay,
  readInstant,
  zonedTimeToUtc,
} from '../../src/lib/dates';

const paris = { timeZone: 'Europe/Paris', dayFirst: true };

describe('parseDateTime', () => {
  it.each([
    ['2026-11-29T14:30:00Z', '2026-11-29T14:30:00.000Z'],
    ['2026-11-29T14:30:00+01:00', '2026-11-29T13:30:00.000Z'],
    ['2026-11-29 14:30', '2026-11-29T13:30:00.000Z'],
    ['2026-07-01', '2026-06-30T22:00:00.000Z'],
    ['29/11/2026 14:30', '2026-11-29T13:30:00.000Z'],
    ['29.11.2026', '2026-11-28T23:00:00.000Z'],
    ['03/04/2026', '2026-04-02T22:00:00.000Z'],
    ['46000.5', '2025-12-09T11:00:00.000Z'],
  ])('%s → %s', (raw, iso) => expect(parseDateTime(raw, paris)?.toISOString()).toBe(iso));

  it('reads month first for US teams, and takes the only possible order when a part is over 12', () => {
    const ny = { timeZone: 'America/New_York', dayFirst: false };
    expect(parseDateTime('03/04/2026 2:30 PM', ny)?.toISOString()).toBe('2026-03-04T19:30:00.000Z');
    expect(parseDateTime('11/29/2026', paris)?.toISOString()).toBe('2026-11-28T23:00:00.000Z');
  });

  it.each([
    ['Nov 29, 2026 2:30 PM', '2026-11-29T13:30:00.000Z'],
    ['November 29th 2026', '2026-11-28T23:00:00.000Z'],
    ['29 novembre 2026 à 14h30', '2026-11-29T13:30:00.000Z'],
    ['1er févr. 2026', '2026-01-31T23:00:00.000Z'],
    ['29-Nov-2026', '2026-11-28T23:00:00.000Z'],
    ['29. März 2026 09:15', '2026-03-29T07:15:00.000Z'],
    ['Sun, 29 Nov 2026 14:30:00 +0000', '2026-11-29T14:30:00.000Z'],
    ['dimanche 29 novembre 2026 14:30', '2026-11-29T13:30:00.000Z'],
    ['Dec 1, 2026 9:05 am UTC', '2026-12-01T09:05:00.000Z'],
    ['29 novembre 2026 à 14h', '2026-11-29T13:00:00.000Z'],
    ['Mar 3, 2026', '2026-03-02T23:00:00.000Z'],
    ['Mar. 3, 2026 2:30 PM', '2026-03-03T13:30:00.000Z'],
    ['20/11/2026 14:30:00.123', '2026-11-20T13:30:00.000Z'],
  ])('reads a month in words: %s → %s', (raw, iso) =>
    expect(parseDateTime(raw, paris)?.toISOString()).toBe(iso),
  );

  it.each([
    ['2026-11-20 09:00:00+01', '2026-11-20T08:00:00.000Z'],
    ['2026-11-20 09:00:00.123456+05:30', '2026-11-20T03:30:00.123Z'],
    ['2026-11-20 09:00:00-03', '2026-11-20T12:00:00.000Z'],
    ['2026-11-20 9:00', '2026-11-20T08:00:00.000Z'],
    ['2026/11/20', '2026-11-19T23:00:00.000Z'],
    ['2026/11/20 09:00', '2026-11-20T08:00:00.000Z'],
    ['20/11/2026, 09:00', '2026-11-20T08:00:00.000Z'],
    ['2026-11-20 09:00 UTC', '2026-11-20T09:00:00.000Z'],
    ['2026-11-20 09:00 GMT', '2026-11-20T09:00:00.000Z'],
    ['20/11/2026 09:00 UTC', '2026-11-20T09:00:00.000Z'],
  ])('reads what exports write: %s → %s', (raw, iso) =>
    expect(parseDateTime(raw, paris)?.toISOString()).toBe(iso),
  );

  it.each([
    '2026/11-20',
    '2026-11-20 09:00 +15:00',
    '2026-11-20 09:00 CET',
    '2026-11-20 24:00',
    '31/02/2026',
    '2026-13-01',
    'hier',
    '25:00',
    'Jui 3, 2026',
    'Feb 30, 2026',
    'Nov 29, 2026 13:30 PM',
    'Smarch 3, 2026',
    'Mon, 29 Nov 2026 14:30:00 +0000',
  ])('refuses %j', (raw) => expect(parseDateTime(raw, paris)).toBeUndefined());
});

describe('readInstant', () => {
  it.each([
    ['2026-11-20T09:00:00+01:00', '2026-11-20T08:00:00.000Z'],
    ['2026-11-20T09:00Z', '2026-11-20T09:00:00.000Z'],
    ['2026-11-20T09:00:00.5-0500', '2026-11-20T14:00:00.500Z'],
    ['1900-01-01T00:00:00Z', '1900-01-01T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    const read = readInstant(text);
    expect(read.ok && read.date.toISOString()).toBe(iso);
  });

  // Each of these was stored, misread, by z.coerce.date; the last made a 500.
  it.each([
    ['1', /must be an ISO 8601 date-time/],
    ['5/11', /must be an ISO 8601 date-time/],
    ['11/05/2026', /must be an ISO 8601 date-time/],
    ['1764500000', /must be an ISO 8601 date-time/],
    ['2026-11-20 09:00:00Z', /must be an ISO 8601 date-time/],
    ['2026-02-31T10:00:00Z', /2026-02-31 is not a day of the calendar/],
    ['0099-05-05T00:00:00Z', /year 0099 is outside 1900–2200/],
    ['0000-01-01T00:00:00Z', /year 0000 is outside/],
    ['2026-11-20T25:00:00Z', /25:00:00 is not a time of day/],
    ['2026-11-20T09:00:00+15:00', /offset \+15:00 is not one/],
    ['2026-11-20', /is a date without a time: .*"2026-11-20T00:00:00Z"/],
    ['2026-11-20T09:00:00', /has no offset.*add Z \(UTC\) or an offset, e\.g\. "\+01:00"/],
  ])('refuses %j', (text, problem) => {
    const read = readInstant(text);
    expect(read.ok ? 'read' : read.problem).toMatch(problem);
  });
});

describe('parseTimeOfDay', () => {
  it.each([
    ['14:30', { hour: 14, minute: 30, second: 0 }],
    ['9:05:07', { hour: 9, minute: 5, second: 7 }],
    ['14h30', { hour: 14, minute: 30, second: 0 }],
    ['14h', { hour: 14, minute: 0, second: 0 }],
    ['2:30 PM', { hour: 14, minute: 30, second: 0 }],
    ['12:15 am', { hour: 0, minute: 15, second: 0 }],
    ['9 am', { hour: 9, minute: 0, second: 0 }],
    ['0.6041666667', { hour: 14, minute: 30, second: 0 }],
  ])('%s', (raw, time) => expect(parseTimeOfDay(raw)).toEqual(time));

  it.each(['14', '24:00', '13:30 PM', '20/11/2026', '2026-11-20 14:30', 'midi'])('refuses %j', (raw) =>
    expect(parseTimeOfDay(raw)).toBeUndefined(),
  );
});

describe('atTimeOfDay', () => {
  const day = parseDateTime('20/11/2026', paris)!;
  it("puts the time on the date's day, in the zone, across a change of offset", () => {
    const at = (date: Date, hour: number, minute: number) =>
      atTimeOfDay(date, { hour, minute, second: 0 }, 'Europe/Paris')?.toISOString();
    expect(at(day, 14, 30)).toBe('2026-11-20T13:30:00.000Z');
    expect(at(parseDateTime('29/03/2026', paris)!, 9, 0)).toBe('2026-03-29T07:00:00.000Z');
    // A date with a time of its own keeps it when the time column agrees, and is a contradiction if not.
    const withTime = parseDateTime('20/11/2026 14:30', paris)!;
    expect(at(withTime, 14, 30)).toBe('2026-11-20T13:30:00.000Z');
    expect(at(withTime, 9, 0)).toBeUndefined();
  });
});

describe('forcedDayFirst', () => {
  it.each([
    ['31/12/2025', true],
    ['31.12.2025 14:30', true],
    ['12/31/2025 2:30 PM', false],
    ['03/04/2026', undefined],
    ['13/13/2026', undefined],
    ['2026-12-31', undefined],
    ['46000.5', undefined],
  ])('%s → %s', (raw, expected) => expect(forcedDayFirst(raw)).toBe(expected));
});

describe('zonedTimeToUtc', () => {
  it('settles the offset across daylight-saving changes', () => {
    expect(
      zonedTimeToUtc({ year: 2026, month: 3, day: 29, hour: 3, minute: 30 }, 'Europe/Paris').toISOString(),
    ).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 12 }, 'Europe/Paris').toISOString()).toBe(
      '2026-10-25T11:00:00.000Z',
    );
  });
});
