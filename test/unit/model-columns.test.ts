import { describe, expect, it } from 'vitest';
import { departmentOfTitle } from '../../src/scoring/departments';
import { type EngagementEvent, reachesGoal } from '../../src/scoring/engagement';
import { type HistoryRow, historyRow, historyTable, rowFor } from '../../src/scoring/training';

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

  it('take the area a job title names where the record gives no department', () => {
    const titles = [
      'Directrice des achats',
      'Acheteuse projets',
      'Responsable marketing digital',
      'Directeur général',
      'Contrôleur de gestion',
      'Head of Procurement',
      'Key Account Manager',
      'Assistante de direction',
      'DSI',
      'DRH',
      "Directeur d'agence Savoie",
      'Responsable SAV après-vente',
    ];
    expect(titles.map(departmentOfTitle)).toEqual([
      'purchasing',
      'purchasing',
      'marketing',
      'management',
      'finance',
      'purchasing',
      'sales',
      '',
      'it',
      'human_resources',
      '',
      'customer_service',
    ]);
    const { columns, table } = historyTable(
      [
        { ...person(null, null, 'FR'), jobTitle: 'Responsable achats France' },
        { ...person(null, null, 'FR'), jobTitle: 'Responsable achats', department: 'Direction financière' },
      ],
      ['meeting_booked'],
    );
    const area = columns.indexOf('department area');
    // The record's department in the same words as the title's, where it names an area; else as written.
    expect(table.map((row) => row[area])).toEqual(['purchasing', 'finance']);
    expect(rowFor(['department area'], { ...person(null, null, 'FR'), department: 'Bureau 12' })).toEqual([
      'Bureau 12',
    ]);
    // A model trained before keeps its column of the record's department alone.
    expect(rowFor(['department'], { ...person(null, null, 'FR'), jobTitle: 'Acheteur' })).toEqual(['']);
  });

  it('count events as engagement reads them: an attempt someone answered, a refused call', () => {
    const at = (minute: number) => minute * 60_000;
    const events = [
      { type: 'call_attempted' as const, at: at(1), outcome: 'answered' },
      { type: 'call_attempted' as const, at: at(2), outcome: null },
      { type: 'call_answered' as const, at: at(3), outcome: 'answered, refused' },
      { type: 'email_replied' as const, at: at(4), outcome: 'refused' },
      { type: 'call_attempted' as const, at: at(5), outcome: 'Ne plus appeler' },
    ];
    const row = historyRow({ ...person(null, null, 'FR'), events }, ['meeting_booked'], []);
    expect(row.counts).toEqual({
      call_answered: 1,
      call_attempted: 1,
      refused: 2,
      email_replied: 1,
      opt_out: 1,
    });
    const { columns } = historyTable([row], ['meeting_booked']);
    expect(columns).toContain('refused count');
    // A model trained before learnt from the types as logged, and is given them so.
    const logged = historyRow({ ...person(null, null, 'FR'), events }, ['meeting_booked'], [], true);
    expect(logged.counts).toEqual({ call_attempted: 3, call_answered: 1, email_replied: 1 });
  });

  it('label a person by their goal as engagement reads it: an attempt someone answered, not a refused call', () => {
    const at = (minute: number) => minute * 60_000;
    const label = (events: EngagementEvent[]) =>
      historyRow({ ...person(null, null, 'FR'), events }, ['call_answered'], []).success;
    expect(label([{ type: 'call_attempted', at: at(1), outcome: 'Rappeler plus tard' }])).toBe(true);
    expect(label([{ type: 'call_answered', at: at(1), outcome: null }])).toBe(true);
    expect(label([{ type: 'call_answered', at: at(1), outcome: 'Non intéressé' }])).toBe(false);
    expect(label([{ type: 'call_attempted', at: at(1), outcome: 'NRP - à rappeler' }])).toBe(false);
    // What came before the goal is counted, the goal and after it not.
    const row = historyRow(
      {
        ...person(null, null, 'FR'),
        events: [
          { type: 'email_opened', at: at(1), outcome: null },
          { type: 'call_attempted', at: at(2), outcome: 'a répondu' },
          { type: 'email_clicked', at: at(3), outcome: null },
        ],
      },
      ['call_answered'],
      [],
    );
    expect(row).toMatchObject({ success: true, counts: { email_opened: 1 } });
    expect(
      reachesGoal({ type: 'meeting_booked', at: at(1), outcome: 'Ne plus appeler' }, ['meeting_booked']),
    ).toBe(false);
  });

  it('give a model trained before the currencies were kept apart the amount as it came', () => {
    expect(rowFor(['revenue'], person(9_000_000, 'GBP', 'GB'))).toEqual(['9000000']);
  });
});
