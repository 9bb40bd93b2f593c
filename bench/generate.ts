import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../src/lib/random';
import { ROOT } from './lib';

const FIRST = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Lucas',
  'Hugo',
  'Louis',
  'Thomas',
  'Émile',
  'Anne',
  'Julien',
];
const LAST = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Lefèvre',
  'Garcia',
  'Roux',
];
const TITLES = ['Gérant', 'Directrice des achats', 'Responsable logistique', 'DAF', 'DSI', 'Acheteur'];
const NAF = ['10.71C', '46.69Z', '62.02A', '43.21A', '49.41A', '56.10A', '70.22Z', '47.73Z'];
const CITIES = ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Lille', 'Bordeaux', 'Rennes'];
const COMPANIES = 97_003;
/** Blocks after 06 that libphonenumber does not accept as French mobiles (fiction and overseas ranges). */
const INVALID_06 = new Set(['39', '90', '91', '92', '93', '94', '96', '97']);

/**
 * The benchmark's file: `rows` prospects with company, names, title, phone, e-mail, NAF code, headcount,
 * city and country, about 105 bytes a row, in .bench/ (never committed). As in a real export, a company
 * has the same NAF code, headcount and city on each of its rows, and rows come in no particular order of
 * phone (mobile numbers are drawn without repeats), so that the baseline's unique index is not helped by
 * sorted keys.
 */
export async function prospectFile(rows: number): Promise<{ path: string; bytes: number }> {
  const dir = join(ROOT, '.bench');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `prospects-v3-${rows}.csv`);
  if (existsSync(path)) return { path, bytes: statSync(path).size };
  const rng = seededRandom(rows);
  // Distinct numbers in random order: an affine permutation of 0..92·10^6-1, whose millions pick one of
  // the 92 two-digit blocks that follow 06 in valid French mobile numbers.
  const blocks = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0')).filter(
    (b) => !INVALID_06.has(b),
  );
  const step = 48_271_597;
  const start = rng.int(0, 91_999_999);
  const out = createWriteStream(path);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write('company,first_name,last_name,title,phone,email,naf,headcount,city,country\n');
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    const c = rng.int(0, COMPANIES - 1);
    const k = (start + i * step) % 92_000_000;
    const n = blocks[Math.floor(k / 1_000_000)]! + String(k % 1_000_000).padStart(6, '0');
    const first = rng.pick(FIRST);
    buffer += `Entreprise ${c},${first},${rng.pick(LAST)},${rng.pick(TITLES)},+33 6 ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)},${first.toLowerCase()}.${i}@e${c}.fr,${NAF[c % NAF.length]},${(c % 500) + 1},${CITIES[c % CITIES.length]},FR\n`;
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  await new Promise<void>((resolve) => out.end(resolve));
  return { path, bytes: statSync(path).size };
}
