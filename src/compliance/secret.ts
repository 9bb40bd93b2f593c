import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { queryRows } from '../db';

/**
 * Suppressed values are stored as HMAC-SHA-256 of their normalized form under a server secret: a leaked
 * table does not give the numbers back, and a person who was erased is still recognised when an import
 * brings their number again. Every process of one installation must use the same secret.
 */
let secretKey: Buffer | undefined;

export function useSuppressionSecret(secret: string): void {
  secretKey = Buffer.from(secret, 'utf8');
}

/** The keyed hash of a value under a kind ("phone", "email", "domain", "prospect"…). */
export function keyedHash(kind: string, value: string): Buffer {
  if (!secretKey) throw new Error('the suppression secret is not set (useSuppressionSecret)');
  return createHmac('sha256', secretKey).update(`${kind}:${value}`).digest();
}

/**
 * The secret from SUPPRESSION_SECRET, else from `<DATA_DIR>/suppression.key`, created at first start.
 * Several API processes on several machines must set SUPPRESSION_SECRET to the same value.
 */
export function resolveSuppressionSecret(config: {
  SUPPRESSION_SECRET?: string | undefined;
  DATA_DIR: string;
}): { secret: string; file?: string } {
  if (config.SUPPRESSION_SECRET) return { secret: config.SUPPRESSION_SECRET };
  const file = join(config.DATA_DIR, 'suppression.key');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, file };
}

const CHECK_KEY = 'suppression_secret_check';

/**
 * Records the secret's fingerprint on the database's first start and refuses a different secret later:
 * hashes made under another secret would silently match nothing, and people who objected would be called.
 */
export async function checkSuppressionSecret(db: Db, secret: string): Promise<void> {
  const fingerprint = createHmac('sha256', secret).update('tiede suppression secret check').digest('hex');
  await queryRows(
    db,
    sql`INSERT INTO instance_settings (key, value) VALUES (${CHECK_KEY}, ${fingerprint}) ON CONFLICT (key) DO NOTHING`,
  );
  const [row] = await queryRows<{ value: string }>(
    db,
    sql`SELECT value FROM instance_settings WHERE key = ${CHECK_KEY}`,
  );
  if (row?.value !== fingerprint) {
    throw new Error(
      'the suppression secret differs from the one this database was set up with: set SUPPRESSION_SECRET (or DATA_DIR/suppression.key) to the original value, or suppressed people could be contacted',
    );
  }
}
