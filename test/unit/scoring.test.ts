import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random';
import { backtest } from '../../src/scoring/backtest';
import { commaOf, toNumber } from '../../src/scoring/cell-numbers';
import { encodeRow, learnEncoder, type SparseRow } from '../../src/scoring/features';
import { eventsOf } from '../../src/scoring/inputs';
import { predict, trainLogistic } from '../../src/scoring/logistic';
import { auc, calibration, captured, stratifiedSplit } from '../../src/scoring/metrics';
import { readTable } from '../../src/scoring/table';

/** Standard normal draws from a seeded generator (Box–Muller). */
function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Rows drawn from a known logistic model. */
function synthetic(n: number, weights: number[], intercept: number, seed = 1) {
  const random = seededRandom(seed).next;
  const gauss = normal(random);
  const rows: SparseRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const val = weights.map(() => gauss());
    const z = intercept + val.reduce((s, v, j) => s + v * weights[j]!, 0);
    rows.push({ idx: weights.map((_, j) => j), val });
    y.push(random() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { rows, y };
}

describe('the logistic model', () => {
  it('recovers known coefficients from synthetic data', () => {
    const truth = [1.5, -2, 0.5, 0];
    const { rows, y } = synthetic(40_000, truth, -1);
    const model = trainLogistic(rows, y, truth.length, { l2: 0.01 });
    for (const [j, w] of truth.entries()) expect(model.weights[j]!).toBeCloseTo(w, 1);
    expect(model.intercept).toBeCloseTo(-1, 1);
    expect(model.iterations).toBeLessThan(15);
  });

  it('gives calibrated probabilities: in each tenth, the mean prediction is the observed rate', () => {
    const truth = [1, -1, 0.7];
    const train = synthetic(30_000, truth, -2, 2);
    const test = synthetic(20_000, truth, -2, 3);
    const model = trainLogistic(train.rows, train.y, truth.length, { l2: 0.01 });
    const p = test.rows.map((row) => predict(model, row));
    for (const bin of calibration(p, test.y, 10))
      expect(Math.abs(bin.predicted - bin.observed)).toBeLessThan(0.03);
  });

  it('stays finite on separable data, held by the penalty', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ idx: [0], val: [i < 100 ? -1 : 1] }));
    const y = rows.map((_, i) => (i < 100 ? 0 : 1));
    const model = trainLogistic(rows, y, 1, { l2: 1 });
    expect(Number.isFinite(model.weights[0]!)).toBe(true);
    expect(model.weights[0]!).toBeGreaterThan(2);
  });
});

describe('metrics', () => {
  it('computes AUC with ties counted half, and the successes captured at the top', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 10);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(auc([1, 2, 3], [0, 0, 0])).toBeNaN();
    expect(captured([0.9, 0.8, 0.1, 0.2], [1, 0, 1, 0], 0.5)).toBe(0.5);
  });

  it('splits successes and failures in the same proportion, the same way for the same seed', () => {
    const y = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const { train, test } = stratifiedSplit(y, 0.25, 7);
    expect(test.length).toBe(250);
    expect(test.filter((i) => y[i] === 1).length).toBe(25);
    expect(new Set([...train, ...test]).size).toBe(1000);
    expect(stratifiedSplit(y, 0.25, 7).test).toEqual(test);
  });

  it('splits a history of a million rows', () => {
    const y = Array.from({ length: 1_000_000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    expect(stratifiedSplit(y, 0.25, 7).train).toHaveLength(750_000);
  });

  it('shares rows of equal score alike, whatever their order in the file', () => {
    // Two groups scored alike: successes first in one file, last in the other.
    const scores = [...Array(10).fill(0.3), ...Array(10).fill(0.1)];
    const first = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const last = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    for (const y of [first, last]) {
      // The top 10 % is two rows of a block of ten with four successes in six: 0.8 of a success in 6.
      expect(captured(scores, y, 0.1)).toBeCloseTo(0.8 / 6, 10);
      expect(captured(scores, y, 0.5)).toBeCloseTo(4 / 6, 10);
      const bins = calibration(scores, y, 4);
      expect(bins.map((b) => b.observed)).toEqual([0.2, 0.2, 0.4, 0.4]);
      expect(bins.map((b) => b.predicted)).toEqual([0.1, 0.1, 0.3, 0.3]);
    }
  });
});

describe('features', () => {
  it('reads French and English numbers, bins them, groups rare levels and flags missing values', () => {
    expect(toNumber('1 234,5')).toBe(1234.5);
    expect(toNumber('-3.2e2')).toBe(-320);
    expect(toNumber('12 ans')).toBeNaN();
    const columns = ['age', 'job', 'id'];
    const rows = Array.from({ length: 400 }, (_, i) => [
      i % 50 === 0 ? '' : String(20 + (i % 40)),
      i === 7 ? 'astronaut' : ['admin', 'technician'][i % 2]!,
      `id-${i}`,
    ]);
    const encoder = learnEncoder(columns, rows, [0, 1, 2]);
    expect(encoder.skipped).toEqual([{ name: 'id', why: expect.stringContaining('identifier') }]);
    expect(encoder.features).toContain('job = admin');
    expect(encoder.features).toContain('job = (other)');
    const rare = encodeRow(encoder, ['30', 'astronaut', 'x']);
    expect(rare.idx.map((j) => encoder.features[j])).toContain('job = (other)');
    const missing = encodeRow(encoder, ['', '', 'x']);
    expect(missing.idx.map((j) => encoder.features[j])).toEqual(['age missing', 'job missing']);
  });
});

describe('numbers and identifiers as a history writes them', () => {
  it('reads amounts and shares with their units, and nothing that only starts like a number', () => {
    expect(toNumber('764,23 €')).toBe(764.23);
    expect(toNumber('$76,423.16')).toBe(76423.16);
    expect(toNumber('1,2 M€')).toBe(1_200_000);
    expect(toNumber('12k')).toBe(12_000);
    expect(toNumber('7,6 %')).toBe(7.6);
    expect(toNumber('-3,5%')).toBe(-3.5);
    expect(toNumber('1.234.567')).toBe(1_234_567);
    for (const text of ['2024-05-01', '12 ans', 'M€', '€', 'abc', '1,2,3 €x'])
      expect(toNumber(text)).toBeNaN();
  });

  it('reads a comma that could be either as the rest of its column does', () => {
    expect(commaOf(['12,50 €', '7,847 €', '3 €'])).toBe('decimal');
    expect(commaOf(['1,234.50', '7,847', '12'])).toBe('thousands');
    expect(commaOf(['1,234,567', '7,847'])).toBe('thousands');
    expect(commaOf(['1.234,56', '7,847'])).toBe('decimal');
    expect(commaOf(['7,847', '1,234'])).toBeUndefined();
    expect(commaOf(['12,5', '1,234.5'])).toBeUndefined();
    expect(toNumber('7,847 €', 'decimal')).toBe(7.847);
    expect(toNumber('7,847 €', 'thousands')).toBe(7847);
    expect(toNumber('$7,847', 'decimal')).toBe(7.847);
    expect(toNumber('1,2,3 €', 'decimal')).toBeNaN();
    expect(toNumber('12,5', 'thousands')).toBe(12.5);
    // Learnt from the column: the same cell bins with its neighbours, whichever way the file writes.
    const rows = (cells: string[]) => Array.from({ length: 200 }, (_, i) => [cells[i % cells.length]!]);
    const french = learnEncoder(['price'], rows(['12,50 €', '7,847 €', '3,10 €', '9 €']), [0]);
    expect(french.specs[0]).toMatchObject({ kind: 'numeric', comma: 'decimal' });
    const english = learnEncoder(['price'], rows(['$1,250.50', '$7,847', '$310', '$9,000']), [0]);
    expect(english.specs[0]).toMatchObject({ kind: 'numeric', comma: 'thousands' });
    const at = (encoder: typeof french, cell: string) => encodeRow(encoder, [cell]).val[1];
    expect(at(french, '7,847 €')).toBeCloseTo(at(french, '7,85 €')!, 2);
  });

  it('reads a comma before three digits as thousands when a currency sign comes first, as in English', () => {
    const read: [string, number][] = [
      ['$7,847', 7847],
      ['$999', 999],
      ['US$ 7,847', 7847],
      ['£1,234,567', 1_234_567],
      ['€1,234', 1234],
      ['-$7,847', -7847],
      ['$1,5', 1.5],
    ];
    for (const [text, value] of read) expect(toNumber(text)).toBe(value);
    // The French way, with the sign after, keeps its decimal comma.
    expect(toNumber('1 234,56 €')).toBe(1234.56);
    expect(toNumber('12,5')).toBe(12.5);
    expect(toNumber('7,847 €')).toBe(7.847);
  });

  it('leaves out whole numbers that all differ when they count rows or are named as ids, keeps measures', () => {
    const random = seededRandom(5).next;
    const columns = ['Identifiant', 'customerId', 'solde', 'montant'];
    const rows = Array.from({ length: 600 }, (_, i) => [
      String(i),
      String(100_000 + Math.floor(random() * 1e9)),
      String(Math.floor(random() * 1e9) - 5e8),
      `${(random() * 1000).toFixed(2).replace('.', ',')} €`,
    ]);
    const encoder = learnEncoder(columns, rows, [0, 1, 2, 3]);
    expect(encoder.skipped.map((s) => s.name)).toEqual(['Identifiant', 'customerId']);
    expect(encoder.features).toContain('solde (linear)');
    expect(encoder.features).toContain('montant (linear)');
  });
});

describe('the backtest', () => {
  /** A history where calls to managers in the north succeed more often, in the shape a CRM exports. */
  function history(n: number): string {
    const random = seededRandom(11).next;
    const lines = ['Identifiant;Région;Fonction;Âge;Appels;Résultat'];
    for (let i = 0; i < n; i++) {
      const north = random() < 0.5;
      const manager = random() < 0.3;
      const age = 25 + Math.floor(random() * 40);
      const calls = 1 + Math.floor(random() * 5);
      const z = -2.5 + (north ? 1.2 : 0) + (manager ? 1.5 : 0) - 0.3 * calls;
      const won = random() < 1 / (1 + Math.exp(-z));
      lines.push(
        `C${i};${north ? 'Nord' : 'Sud'};${manager ? 'Directeur' : 'Employé'};${age};${calls};${won ? 'gagné' : 'perdu'}`,
      );
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  it('ranks a history it has never seen, with its own column names and success value', async () => {
    const table = await readTable(new TextEncoder().encode(history(3000)));
    const report = backtest(table, { target: 'résultat', positive: 'gagné', exclude: ['Identifiant'] });
    expect(report.rows.test).toBe(750);
    expect(report.auc).toBeGreaterThan(0.7);
    expect(report.captured.top50).toBeGreaterThan(0.7);
    expect(report.topDecileLift).toBe(report.liftByDecile[0]);
    expect(report.strongest.map((s) => s.feature)).toEqual(expect.arrayContaining(['Fonction = Directeur']));
    // "gagné" is a yes the backtest knows: the same ranking without --positive.
    expect(backtest(table, { target: 'Résultat', exclude: ['Identifiant'] }).auc).toBe(report.auc);
    expect(() => backtest(table, { target: 'Chiffre' })).toThrow(/Région/);
  });

  it('refuses histories that cannot be measured instead of printing noise', async () => {
    const table = async (text: string) => readTable(new TextEncoder().encode(text));
    const lines = (n: number, row: (i: number) => string) =>
      `a;b;y\n${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;
    expect(() => backtest({ columns: ['a', 'y'], rows: [] }, { target: 'y' })).toThrow(/no rows/);
    const allYes = await table(lines(200, (i) => `${i % 3};x${i % 4};oui`));
    expect(() => backtest(allYes, { target: 'y' })).toThrow(/every row/);
    const tiny = await table(lines(6, (i) => `${i};x;${i % 2 ? 'oui' : 'non'}`));
    expect(() => backtest(tiny, { target: 'y' })).toThrow(/too few rows.*at least 5/);
    const onlyTarget = await table(
      `y\n${Array.from({ length: 200 }, (_, i) => (i % 3 ? 'non' : 'oui')).join('\n')}\n`,
    );
    expect(() => backtest(onlyTarget, { target: 'y' })).toThrow(/no column can be used/);
    const mixed = await table(lines(400, (i) => `${i % 7};x${i % 5};${i % 3 ? 'Lost' : 'WON'}`));
    expect(backtest(mixed, { target: 'y', positive: 'won' }).positive).toBe('WON');
    expect(() => backtest(mixed, { target: 'y', positive: 'gagné' })).toThrow(/its values are: .*WON/);
  });

  it('reads outcomes case and spaces aside, leaves out rows without one, and names duplicate headers apart', async () => {
    const random = seededRandom(5).next;
    const lines = ['x;x;bruit;Réponse'];
    for (let i = 0; i < 2000; i++) {
      const signal = random() * 4 - 2;
      const yes = random() < 1 / (1 + Math.exp(-2 * signal));
      const spelling = ['Oui', 'OUI', ' oui'][i % 3]!;
      const label = i % 5 === 0 ? '' : yes ? spelling : ['Non', 'NON', 'non '][i % 3]!;
      lines.push(`${(random() * 10).toFixed(2)};${signal.toFixed(3)};${Math.floor(random() * 9)};${label}`);
    }
    const table = await readTable(new TextEncoder().encode(`${lines.join('\n')}\n`));
    const report = backtest(table, { target: 'Réponse' });
    expect(report.rows.unlabelled).toBe(400);
    expect(report.rows.train + report.rows.test).toBe(1600);
    expect(report.positive).toMatch(/^oui$/i);
    expect(report.successRate).toBeGreaterThan(0.4);
    expect(report.auc).toBeGreaterThan(0.8);
    expect(report.strongest[0]!.feature).toMatch(/^x #2 /);
    expect(backtest(table, { target: 'Réponse', positive: 'OUI' }).auc).toBe(report.auc);
    // Excluding "x #2" leaves the noise: the signal was in the second "x".
    expect(backtest(table, { target: 'Réponse', exclude: ['x #2'] }).auc).toBeLessThan(0.6);
    expect(() => backtest(table, { target: 'Réponse', exclude: ['', 'x'] })).toThrow(/empty column/);
    expect(() => backtest(table, { target: 'Réponse', exclude: ['réponse'] })).toThrow(/is the target/);
  });

  it('reads a history as the import does: a title above the header, and rows longer than it left out', async () => {
    const text = [
      'Export des contacts du 30/11/2026;;',
      '',
      'score;segment;converted',
      '0.1;A;yes',
      '0.2;B;no;;',
      ...Array.from({ length: 8 }, (_, i) => `0.${i};C;no`),
      '0.1;A;12,57;yes',
      '0.3;C;1,5;no',
    ].join('\n');
    const table = await readTable(new TextEncoder().encode(`${text}\n`));
    expect(table.columns).toEqual(['score', 'segment', 'converted']);
    expect(table.rows).toHaveLength(10);
    expect(table.rows.slice(0, 2)).toEqual([
      ['0.1', 'A', 'yes'],
      ['0.2', 'B', 'no'],
    ]);
    expect(table.warnings).toEqual([
      'line 3 is the header: the line above it (a title?) left out',
      "2 rows have more fields than the header's 3 (line 14 first: an unquoted decimal comma?), left out",
    ]);
  });

  it('reads dates as dates, day or month first, and learns from them', async () => {
    const random = seededRandom(8).next;
    const lines = ['Date de création;Relance;Signé'];
    for (let i = 0; i < 3000; i++) {
      const days = Math.floor(random() * 3650); // ten years back from 2026
      const created = new Date(Date.UTC(2026, 0, 1) - days * 86_400_000);
      const recall = new Date(created.getTime() + Math.floor(random() * 300) * 86_400_000);
      const dmy = `${String(created.getUTCDate()).padStart(2, '0')}/${String(created.getUTCMonth() + 1).padStart(2, '0')}/${created.getUTCFullYear()}`;
      const mdy = `${recall.getUTCMonth() + 1}/${recall.getUTCDate()}/${recall.getUTCFullYear()}`;
      const signed = random() < 1 / (1 + Math.exp(-(2 - days / 700)));
      lines.push(`${dmy};${mdy};${signed ? 'oui' : 'non'}`);
    }
    const table = await readTable(new TextEncoder().encode(`${lines.join('\n')}\n`));
    const report = backtest(table, { target: 'Signé' });
    expect(report.skipped).toEqual([]);
    expect(report.auc).toBeGreaterThan(0.7);
    expect(report.strongest.map((s) => s.feature).join(' ')).toMatch(
      /Date de création in \[\d{4}-\d{2}-\d{2}, /,
    );
    const encoder = learnEncoder(table.columns, table.rows, [0, 1]);
    expect(encoder.specs.map((s) => s.kind === 'numeric' && s.dates)).toEqual([
      { dayFirst: true },
      { dayFirst: false },
    ]);
  });

  it('runs as a command on a file in Windows-1252 and says what is wrong with bad arguments', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tiede-backtest-'));
    const file = join(folder, 'history.csv');
    writeFileSync(file, Buffer.from(history(1200), 'latin1'));
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/backtest.ts',
        '--csv',
        file,
        '--target',
        'Résultat',
        '--positive',
        'gagné',
        '--exclude',
        'Identifiant',
      ],
      { encoding: 'utf8' },
    );
    expect(output).toMatch(/test AUC\s+0\.\d{4}/);
    expect(output).toContain('calibration');
    const bad = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/backtest.ts', '--csv', file, '--target', 'nope'],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('no column "nope"');
    // A file with nothing in it is the user's to fix as well.
    const empty = join(folder, 'empty.csv');
    writeFileSync(empty, '');
    const nothing = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/backtest.ts', '--csv', empty, '--target', 'y'],
      { encoding: 'utf8' },
    );
    expect([nothing.status, nothing.stderr.trim()]).toEqual([2, 'backtest: the file is empty']);
  });

  it('refuses a history with one outcome, and says which values it counts as failures', async () => {
    const { next: random } = seededRandom(3);
    const rows = (outcomes: string[]) => {
      const lines = Array.from({ length: 300 }, (_, i) => `${random()};${outcomes[i % outcomes.length]}`);
      return readTable(new TextEncoder().encode(`x;y\n${lines.join('\n')}\n`));
    };
    const single = await rows(['no']);
    expect(() => backtest(single, { target: 'y' })).toThrow(
      'every row of "y" is "no": there is nothing to tell successes from',
    );
    const report = backtest(await rows(['Won', 'Lost', 'Pending']), { target: 'y', positive: 'won' });
    expect([report.positive, report.failures]).toEqual(['Won', ['Lost', 'Pending']]);
  });
});

describe('the events text a scoring read hands over', () => {
  it('reads types, minutes and outcomes, newest first in, oldest first out', () => {
    expect(
      eventsOf(
        'call_attempted:29000002:Répondu: pas intéressé,email_clicked:29000001,call_attempted:29000000:no_answer',
      ),
    ).toEqual([
      { type: 'call_attempted', at: 29_000_000 * 60_000, outcome: 'no_answer' },
      { type: 'email_clicked', at: 29_000_001 * 60_000, outcome: null },
      { type: 'call_attempted', at: 29_000_002 * 60_000, outcome: 'Répondu: pas intéressé' },
    ]);
    // The outcome's commas travel as U+001F; an empty outcome is none.
    expect(eventsOf('call_attempted:7:Refusé\u001f rappeler en mai,call_answered:8:')).toEqual([
      { type: 'call_attempted', at: 7 * 60_000, outcome: 'Refusé, rappeler en mai' },
      { type: 'call_answered', at: 8 * 60_000, outcome: null },
    ]);
    expect(eventsOf(null)).toEqual([]);
    expect(eventsOf('')).toEqual([]);
  });

  it('keeps a type it does not know as written, dates before 1970, and sorts what came unsorted', () => {
    expect(eventsOf('fax_sent:-5,email_opened:-10:refused,email_sent:3')).toEqual([
      { type: 'email_opened', at: -10 * 60_000, outcome: 'refused' },
      { type: 'fax_sent', at: -5 * 60_000, outcome: null },
      { type: 'email_sent', at: 3 * 60_000, outcome: null },
    ]);
    // A name that shares its first letters with a known type is not taken for it.
    expect(eventsOf('email_sent_twice:1')[0]!.type).toBe('email_sent_twice');
  });
});
