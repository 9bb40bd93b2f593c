import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random';
import { backtest, formatReport } from '../../src/scoring/backtest';
import type { Table } from '../../src/scoring/table';

/**
 * A history of `n` rows whose score predicts the outcome, in the columns score, segment and the target,
 * the outcome written by `outcome(success, i)`.
 */
function history(n: number, target: string, outcome: (success: boolean, i: number) => string): Table {
  const { next: random } = seededRandom(3);
  const rows = Array.from({ length: n }, (_, i) => {
    const score = random() * 4 - 2;
    const success = random() < 1 / (1 + Math.exp(-2 * score));
    return [score.toFixed(3), ['A', 'B', 'C'][i % 3]!, outcome(success, i)];
  });
  return { columns: ['score', 'segment', target], rows };
}

describe('the target as files write it', () => {
  it('counts every yes of the column as a success: "Oui" and "O"', () => {
    const table = history(1200, 'Inscrit', (yes, i) =>
      yes ? (i % 3 === 1 ? 'O' : 'Oui') : i % 3 === 1 ? 'N' : 'Non',
    );
    const report = backtest(table, { target: 'Inscrit' });
    expect(report.positive).toBe('Oui');
    expect(report.successes).toEqual(['Oui', 'O']);
    expect(report.failures).toEqual(expect.arrayContaining(['Non', 'N']));
    expect(report.failures).toHaveLength(2);
    expect(formatReport(report)).toContain('success ("Oui" or "O", case and accents aside)');
    expect(report.auc).toBeGreaterThan(0.8);
    const asked = backtest(table, { target: 'Inscrit', positive: 'o' });
    expect([asked.positive, asked.successes, asked.auc]).toEqual(['O', ['O', 'Oui'], report.auc]);
  });

  it('reads 1.0 and 0.0 as 1 and 0', () => {
    const table = history(1200, 'converted', (yes) => (yes ? '1.0' : '0.0'));
    const report = backtest(table, { target: 'converted' });
    expect(report.positive).toBe('1.0');
    expect(report.auc).toBeGreaterThan(0.8);
  });

  it('leaves out rows whose outcome is N/A, ? or inconnu, and counts them, rather than failing them', () => {
    const unknown = ['N/A', '?', 'inconnu', ''];
    const table = history(1200, 'Inscrit', (yes, i) =>
      i % 10 === 0 ? unknown[(i / 10) % 4]! : yes ? 'Oui' : 'Non',
    );
    const report = backtest(table, { target: 'Inscrit' });
    expect(report.rows.unlabelled).toBe(120);
    expect(report.rows.train + report.rows.test).toBe(1080);
    expect(report.failures).toEqual(['Non']);
  });

  it('counts the blanks of a column that marks only its successes as failures, and says so', () => {
    const table = history(1200, 'Signé', (yes) => (yes ? 'X' : ''));
    const report = backtest(table, { target: 'Signé' });
    expect(report.positive).toBe('X');
    expect(report.rows.blanksAsFailures).toBeGreaterThan(300);
    expect(report.rows.train + report.rows.test).toBe(1200);
    expect(formatReport(report)).toContain(
      `${report.rows.blanksAsFailures} blank rows of "Signé" counted as failures: the column marks only successes`,
    );
    expect(backtest(table, { target: 'Signé', positive: 'x' }).auc).toBe(report.auc);
    // The same value on every row, without blanks, still tells nothing.
    const signed = history(300, 'Signé', () => 'X');
    expect(() => backtest(signed, { target: 'Signé' })).toThrow(/every row of "Signé" is "X"/);
    // A column that marks only its failures names no success: not read the wrong way round.
    const refused = history(600, 'Résultat', (yes) => (yes ? '' : 'Non'));
    expect(() => backtest(refused, { target: 'Résultat' })).toThrow(/holds only "Non" and blanks/);
  });

  it('compares outcomes accents aside, and knows Gagné and Closed Won for a yes', () => {
    const table = history(1200, 'Étape', (yes, i) => (yes ? ['Gagné', 'Gagne', 'GAGNÉ'][i % 3]! : 'Perdu'));
    const report = backtest(table, { target: 'etape' });
    expect(report.positive).toBe('Gagné');
    expect(report.failures).toEqual(['Perdu']);
    expect(backtest(table, { target: 'etape', positive: 'gagne' }).auc).toBe(report.auc);
    const won = history(1200, 'Stage', (yes) => (yes ? 'Closed Won' : 'Closed Lost'));
    expect(backtest(won, { target: 'Stage' }).positive).toBe('Closed Won');
  });
});

describe('columns that give the outcome away', () => {
  it('names a column filled in for one outcome only, and a test AUC too high to be true', () => {
    const base = history(2000, 'Signé', (yes) => (yes ? 'Oui' : 'Non'));
    // A signature date for 85 % of the successes, none for the failures.
    const signed: Table = {
      columns: [...base.columns, 'Date de signature'],
      rows: base.rows.map((row, i) => [...row, row[2] === 'Oui' && i % 7 !== 0 ? '2026-03-01' : '']),
    };
    const report = backtest(signed, { target: 'Signé' });
    expect(report.leaks).toEqual([]);
    expect(report.warnings?.join('\n')).toMatch(
      /"Date de signature" is filled in on \d+ training rows, all successes/,
    );
    // With a reason for a loss on most failures as well, together they give the outcome away.
    const both: Table = {
      columns: [...signed.columns, 'Motif de perte'],
      rows: signed.rows.map((row, i) => [...row, row[2] === 'Non' && i % 5 !== 0 ? 'Prix' : '']),
    };
    const together = backtest(both, { target: 'Signé' });
    expect(together.auc).toBeGreaterThan(0.95);
    expect(together.warnings?.join('\n')).toContain('more than a history of prospects usually allows');
    expect(backtest(base, { target: 'Signé' }).warnings ?? []).toEqual([]);
  });

  it('warns of a column that alone separates the classes and names it for --exclude, without leaving it out', () => {
    const table = history(1200, 'Résultat', (yes) => (yes ? 'Oui' : 'Non'));
    table.columns.push('Date de signature', 'Statut CRM');
    table.rows.forEach((row, i) => {
      const yes = row[2] === 'Oui';
      row.push(yes ? `${String((i % 28) + 1).padStart(2, '0')}/03/2024` : '', yes ? 'Client' : 'Prospect');
    });
    const report = backtest(table, { target: 'Résultat' });
    expect(report.leaks.map((l) => l.column)).toEqual(['Date de signature', 'Statut CRM']);
    expect(report.warnings).toEqual([expect.stringContaining('--exclude "Date de signature,Statut CRM"')]);
    expect(formatReport(report)).toMatch(/^warning: "Date de signature" \(AUC 1\.000\)/);
    expect(report.skipped).toEqual([]);
    // Without them, no warning.
    const honest = backtest(table, { target: 'Résultat', exclude: ['Date de signature', 'Statut CRM'] });
    expect([honest.leaks, honest.warnings]).toEqual([[], []]);
  });
});

describe('the penalty on many columns', () => {
  it('chooses the L2 penalty on part of the training rows when features are many for them', () => {
    const { next: random } = seededRandom(12);
    const names = Array.from({ length: 40 }, (_, j) => `Var${j + 1}`);
    const rows = Array.from({ length: 1500 }, () => {
      const values = names.map(() => random() * 4 - 2);
      const success = random() < 1 / (1 + Math.exp(1 - values[0]! + 0.5 * values[1]!));
      return [...values.map((v) => v.toFixed(4)), success ? '1' : '0'];
    });
    const report = backtest({ columns: [...names, 'churn'], rows }, { target: 'churn' });
    expect(report.features).toBe(240);
    expect(report.l2).toBeGreaterThan(1);
    expect(formatReport(report)).toContain(`L2 penalty ${report.l2}`);
    // Few features for the rows: the default.
    expect(
      backtest(
        history(1200, 'Inscrit', (yes) => (yes ? 'Oui' : 'Non')),
        { target: 'Inscrit' },
      ).l2,
    ).toBe(1);
  });
});

describe('names on the command line', () => {
  const table = history(600, 'Résultat', (yes) => (yes ? 'Oui' : 'Non'));

  it('finds a column accents and case aside', () => {
    expect(backtest(table, { target: 'resultat', exclude: ['SEGMENT'] }).target).toBe('Résultat');
  });

  it('suggests the nearest name when none matches', () => {
    expect(() => backtest(table, { target: 'Resultt' })).toThrow(
      'no column "Resultt" (did you mean "Résultat"?); the columns are: score, segment, Résultat',
    );
    expect(() => backtest(table, { target: 'Résultat', exclude: ['segmnt'] })).toThrow(
      /did you mean "segment"\?/,
    );
  });

  it('says which columns --exclude left out when only the target remains', () => {
    expect(() => backtest(table, { target: 'Résultat', exclude: ['score', 'Segment'] })).toThrow(
      'no column can be used to predict: "Résultat" is the target and --exclude left out "score", "segment"',
    );
  });

  it('refuses a seed beyond 4294967295 rather than wrapping it', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tiede-backtest-'));
    const file = join(folder, 'h.csv');
    writeFileSync(file, 'x;y\n1;oui\n');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/backtest.ts', '--csv', file, '--target', 'y', '--seed', '4294967296'],
      { encoding: 'utf8' },
    );
    expect([run.status, run.stderr.trim()]).toEqual([
      2,
      'backtest: --seed must be a whole number from 0 to 4294967295, not "4294967296"',
    ]);
  });
});

describe('what the figures rest on', () => {
  it('names outcomes that read as still open, and leaves them out when --open says so', () => {
    const table = history(1500, 'Étape', (yes, i) => (yes ? 'Gagné' : i % 4 === 0 ? 'En cours' : 'Perdu'));
    const open = table.rows.filter((row) => row[2] === 'En cours').length;
    const counted = backtest(table, { target: 'Étape' });
    expect(counted.failures).toEqual(expect.arrayContaining(['Perdu', 'En cours']));
    const warning = counted.warnings!.find((w) => w.includes('"En cours"'))!;
    expect(warning).toContain(`${open} rows of "En cours" are counted as failures`);
    expect(warning).toContain('--open "En cours"');
    const left = backtest(table, { target: 'Étape', open: ['en cours'] });
    expect(left.failures).toEqual(['Perdu']);
    expect(left.rows.open).toBe(open);
    expect(left.rows.train + left.rows.test).toBe(1500 - open);
    expect(left.warnings!.some((w) => w.includes('En cours'))).toBe(false);
    expect(formatReport(left)).toContain(`${open} still open left out (--open)`);
    expect(() => backtest(table, { target: 'Étape', open: ['Signé'] })).toThrow(
      '--open names "Signé", which "Étape" never holds',
    );
    expect(() => backtest(table, { target: 'Étape', open: ['gagné'] })).toThrow(
      '--open names "gagné", a success',
    );
    // Another open value than the one left out: the command suggested keeps both.
    const two = history(1500, 'Étape', (yes, i) =>
      yes ? 'Gagné' : i % 4 === 0 ? 'En cours' : i % 4 === 1 ? 'Pending' : 'Perdu',
    );
    const once = backtest(two, { target: 'Étape', open: ['En cours'] });
    expect(once.warnings!.find((w) => w.includes('"Pending"'))).toContain('--open "En cours,Pending"');
  });

  it('leaves blanks without an outcome when the column also holds open outcomes, with --open or without', () => {
    // "X" where signed, "En cours" where still open, blank elsewhere: the blanks are not known failures.
    const table = history(1200, 'signé', (yes, i) => (yes ? 'X' : i % 3 === 0 ? 'En cours' : ''));
    const without = backtest(table, { target: 'signé', positive: 'X' });
    expect(without.rows.blanksAsFailures).toBeUndefined();
    expect(without.rows.unlabelled).toBeGreaterThan(0);
    // Left out, the open rows leave only "X": nothing to tell successes from, rather than blanks as failures.
    expect(() => backtest(table, { target: 'signé', positive: 'X', open: ['En cours'] })).toThrow(
      'there is nothing to tell successes from',
    );
  });

  it('says how far the AUC could be from its figure when few successes are held out', () => {
    // About 10 % of 400 rows succeed: some ten successes in the quarter held out.
    const { next: random } = seededRandom(5);
    const rows = Array.from({ length: 400 }, (_, i) => {
      const score = random() * 4 - 2;
      const success = random() < 0.1 / (1 + Math.exp(-2 * score)) + 0.02;
      return [score.toFixed(3), ['A', 'B'][i % 2]!, success ? 'oui' : 'non'];
    });
    const few = backtest({ columns: ['score', 'segment', 'signé'], rows }, { target: 'signé' });
    expect(few.rows.testSuccesses).toBeLessThan(20);
    const warning = few.warnings!.find((w) => w.startsWith('only '))!;
    expect(warning).toContain(`only ${few.rows.testSuccesses} successes are held out`);
    const [low, high] = /from ([\d.]+) to ([\d.]+)/.exec(warning)!.slice(1).map(Number) as [number, number];
    expect(low).toBeLessThan(few.auc - 0.05);
    expect(high).toBeGreaterThan(few.auc + 0.05);
    // Few failures say as much: nine in ten succeed.
    const mostly = backtest(
      history(600, 'y', (yes, i) => (yes || i % 10 !== 0 ? 'yes' : 'no')),
      { target: 'y' },
    );
    expect(mostly.rows.test - mostly.rows.testSuccesses).toBeLessThan(50);
    expect(mostly.warnings!.find((w) => w.startsWith('only '))).toContain(
      `only ${mostly.rows.test - mostly.rows.testSuccesses} failures are held out`,
    );
    // Hundreds of held-out successes: nothing to say.
    const many = backtest(
      history(4000, 'y', (yes) => (yes ? 'yes' : 'no')),
      { target: 'y' },
    );
    expect(many.rows.testSuccesses).toBeGreaterThan(300);
    expect(many.warnings!.some((w) => w.startsWith('only '))).toBe(false);
  });
});
