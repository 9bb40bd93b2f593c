import { describe, expect, it } from 'vitest';
import { type HistoryRow, historyTable, rowFor } from '../../src/scoring/training';

/** A history row with only what the model's columns read. */
const person = (annualRevenue: number | null, revenueCurrency: string | null, country: string | null) =>
  ({
    prospectId: 'p',
    kind: 'b2b',
    language: null,
    jobTitle: null,
    seniority: null,
    department: null,
    country,
    region: null,
    industryCode: null,
    industryScheme: null,
    employeeCount: null,
    annualRevenue,
    revenueCurrency,
    attributes: {},
    success: false,
    counts: {},
  }) as HistoryRow;

describe("the model's revenue columns", () => {
  it('keep amounts of the most common currency as numbers and the others as a currency alone', () => {
    const rows = [
      person(5_000_000, 'EUR', 'FR'),
      person(2_000_000, null, 'DE'),
      person(9_000_000, 'GBP', 'GB'),
      person(7_000_000, null, 'GB'),
      person(null, null, 'FR'),
    ];
    const { columns, table } = historyTable(rows, ['meeting_booked']);
    const cell = (row: number, column: string) => table[row]![columns.indexOf(column)];
    expect(columns).toContain('revenue EUR');
    expect(columns).not.toContain('revenue');
    // A bare amount is in its country's currency, as the fit reads it.
    expect([0, 1, 2, 3, 4].map((i) => cell(i, 'revenue EUR'))).toEqual(['5000000', '2000000', '', '', '']);
    expect([0, 1, 2, 3, 4].map((i) => cell(i, 'revenue currency'))).toEqual(['EUR', 'EUR', 'GBP', 'GBP', '']);
  });

  it('take the seniority a job title says where the record gives none, as the fit does', () => {
    const { columns, table } = historyTable(
      [
        { ...person(null, null, 'FR'), jobTitle: 'Directeur commercial' },
        { ...person(null, null, 'FR'), jobTitle: 'Stagiaire marketing', seniority: 'manager' },
      ],
      ['meeting_booked'],
    );
    const level = columns.indexOf('seniority level');
    expect(table.map((row) => row[level])).toEqual(['director', 'manager']);
  });

  it('give a model trained before the currencies were kept apart the amount as it came', () => {
    expect(rowFor(['revenue'], person(9_000_000, 'GBP', 'GB'))).toEqual(['9000000']);
  });
});
