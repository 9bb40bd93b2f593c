import { describe, expect, it } from 'vitest';
import { forcedDayFirst, parseDateTime, zonedTimeToUtc } from '../../src/lib/dates';

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
  ])('reads a month in words: %s → %s', (raw, iso) =>
    expect(parseDateTime(raw, paris)?.toISOString()).toBe(iso),
  );

  it.each([
    '31/02/2026',
    '2026-13-01',
    'hier',
    '25:00',
    'Jui 3, 2026',
    'Feb 30, 2026',
    'Nov 29, 2026 13:30 PM',
    'Smarch 3, 2026',
  ])('refuses %j', (raw) => expect(parseDateTime(raw, paris)).toBeUndefined());
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
