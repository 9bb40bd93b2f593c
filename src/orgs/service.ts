import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { apiKeys, organizations, type Role } from '../../db/schema';
import { type Ctx, systemCtx, withTransaction } from '../context';
import { type Db, queryRows } from '../db';
import { AppError, notFound } from '../http/errors';
import { forgetApiKey } from './key-cache';

export const KEY_PREFIX = 'tdk_';

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function generateKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

export interface NewOrganization {
  name: string;
  defaultCountry?: string;
  defaultLanguage?: string;
}

export async function createOrganization(db: Db, input: NewOrganization) {
  const [org] = await db
    .insert(organizations)
    .values({
      name: input.name,
      defaultCountry: input.defaultCountry ?? 'FR',
      defaultLanguage: input.defaultLanguage ?? 'fr',
    })
    .returning();
  return org!;
}

export async function getOrganization(db: Db, orgId: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw notFound('Organization');
  return org;
}

export async function listOrganizations(db: Db) {
  return db.select().from(organizations).orderBy(organizations.createdAt);
}

export interface NewApiKey {
  name: string;
  role: Role;
}

/** Creates a key; the clear key is in the result once and never stored. */
export async function createApiKey(db: Db, orgId: string, input: NewApiKey, createdBy: string | null = null) {
  const key = generateKey();
  const [row] = await db
    .insert(apiKeys)
    .values({
      orgId,
      name: input.name,
      role: input.role,
      prefix: key.slice(0, KEY_PREFIX.length + 8),
      keyHash: hashKey(key),
      createdBy,
    })
    .returning();
  return { key, apiKey: publicKey(row!) };
}

export function publicKey(row: typeof apiKeys.$inferSelect) {
  const { keyHash: _hash, ...rest } = row;
  return rest;
}

export async function listApiKeys(ctx: Ctx, options: { includeRevoked?: boolean } = {}) {
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, ctx.orgId), options.includeRevoked ? undefined : isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(publicKey);
}

/**
 * Revokes a key at once. Through the API (`keepAnAdmin`), the organization's last active admin key is not
 * revoked: nobody could then create keys but an operator at the command line.
 */
export async function revokeApiKey(ctx: Ctx, keyId: string, options: { keepAnAdmin?: boolean } = {}) {
  const row = await withTransaction(ctx, async (tx) => {
    if (options.keepAnAdmin) {
      // Locked, so that two admins revoking each other's keys at once cannot leave none.
      const admins = await queryRows<{ id: string }>(
        tx.db,
        sql`SELECT id FROM api_keys WHERE org_id = ${tx.orgId} AND role = 'admin' AND revoked_at IS NULL FOR UPDATE`,
      );
      if (admins.length === 1 && admins[0]!.id === keyId)
        throw new AppError(
          'CONFLICT',
          "this is the organization's last admin key: create another admin key before revoking it",
        );
    }
    const [updated] = await tx.db
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, tx.orgId)))
      .returning();
    return updated;
  });
  if (!row) throw notFound('API key');
  forgetApiKey(row.keyHash);
  return publicKey(row);
}

/** Revokes by id or by the prefix shown in lists, for operators at the command line. */
export async function revokeApiKeyByIdOrPrefix(db: Db, idOrPrefix: string) {
  const rows = await queryRows<{ id: string; org_id: string }>(
    db,
    sql`SELECT id, org_id FROM api_keys WHERE (id::text = ${idOrPrefix} OR prefix = ${idOrPrefix}) AND revoked_at IS NULL`,
  );
  if (rows.length === 0) throw notFound('Active API key');
  if (rows.length > 1)
    throw new AppError('CONFLICT', `${rows.length} active keys match "${idOrPrefix}"; use the id`);
  const [row] = rows;
  return revokeApiKey(systemCtx(db, row!.org_id), row!.id);
}

export interface Authenticated {
  keyId: string;
  orgId: string;
  role: Role;
}

/** Finds the active key a bearer token stands for; null when unknown or revoked. */
export async function authenticate(db: Db, token: string): Promise<Authenticated | null> {
  if (!token.startsWith(KEY_PREFIX) || token.length > 200) return null;
  const rows = await queryRows<{ id: string; org_id: string; role: Role; stale: boolean }>(
    db,
    sql`SELECT id, org_id, role, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
        FROM api_keys WHERE key_hash = ${hashKey(token)} AND revoked_at IS NULL`,
  );
  const row = rows[0];
  if (!row) return null;
  // Written at most once a minute, so that reads do not turn into a write per request.
  if (row.stale) await db.execute(sql`UPDATE api_keys SET last_used_at = now() WHERE id = ${row.id}`);
  return { keyId: row.id, orgId: row.org_id, role: row.role };
}

/**
 * On an empty database, creates the first organization and its admin key. Returns the clear key, to be
 * printed once, or null when an organization already exists.
 */
export async function bootstrap(
  db: Db,
  input: NewOrganization,
): Promise<{ orgId: string; key: string } | null> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // Two processes starting at once on an empty server: one creates, the other waits and sees it.
    await t.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tiede:bootstrap'))`);
    const [existing] = await t.select({ id: organizations.id }).from(organizations).limit(1);
    if (existing) return null;
    const org = await createOrganization(t, input);
    const { key } = await createApiKey(t, org.id, { name: 'bootstrap admin', role: 'admin' });
    return { orgId: org.id, key };
  });
}
