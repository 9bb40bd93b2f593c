import { and, desc, eq, sql } from 'drizzle-orm';
import { REGISTRIES, type RegistrySnapshot, registrySnapshots } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { copyText, queryRows } from '../db';
import { AppError, notFound } from '../http/errors';
import { DAY } from '../lib/durations';
import { audit } from './audit';
import { REGISTRY_COUNTRY, RegistryLineReader, type RegistryRejection } from './registry-file';
import { RULE_PACKS } from './rules/packs';
import type { RegistryName } from './rules/types';

/** The table holding one snapshot's numbers (E.164 digits as bigint). */
export function registryTable(serial: number): string {
  if (!Number.isSafeInteger(serial) || serial <= 0) throw new Error(`bad registry snapshot serial ${serial}`);
  return `registry_numbers_${serial}`;
}

export function isRegistry(name: string): name is RegistryName {
  return (REGISTRIES as readonly string[]).includes(name);
}

/** How old a copy may be before calls that need it are refused, from the rule packs. */
export function registryMaxAgeDays(registry: RegistryName): number | undefined {
  for (const pack of RULE_PACKS) {
    for (const byAudience of Object.values(pack.rules)) {
      for (const rule of Object.values(byAudience ?? {})) {
        const list = rule?.registries?.find((r) => r.value.name === registry);
        if (list) return list.value.maxAgeDays;
      }
    }
  }
  return undefined;
}

const KEPT_REJECTIONS = 1000;
/** Numbers are sent to the server in COPYs of this many bytes or so. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

export interface SnapshotUpload {
  write(chunk: Uint8Array): Promise<void>;
}

/**
 * Imports a copy of a national registry: the file streams through `feed` into a table of its own, COPY by
 * COPY, indexed at the end, all in one transaction, so that a failed import leaves the previous copy in
 * force. Lines that are not numbers are reported by line and the rest imported; a file with no number at
 * all is refused. The new copy supersedes older ones of the same registry.
 */
export async function importRegistrySnapshot(
  ctx: Ctx,
  input: { registry: RegistryName; asOf: string; fileName?: string },
  feed: (upload: SnapshotUpload) => Promise<{ filename?: string; asOf?: string }>,
): Promise<RegistrySnapshot> {
  const [created] = await ctx.db
    .insert(registrySnapshots)
    .values({
      orgId: ctx.orgId,
      registry: input.registry,
      asOf: input.asOf,
      fileName: input.fileName ?? null,
      createdBy: ctx.actor.keyId,
    })
    .returning();
  const snapshot = created!;
  const table = registryTable(snapshot.serial);
  let numbers = 0;
  let rejected = 0;
  const rejections: RegistryRejection[] = [];
  try {
    await withTransaction(ctx, async (tx) => {
      await tx.db.execute(sql.raw(`CREATE TABLE ${table} (number bigint NOT NULL)`));
      let pending: string[] = [];
      let pendingBytes = 0;
      const reader = new RegistryLineReader(
        REGISTRY_COUNTRY[input.registry],
        (digits) => {
          pending.push(digits);
          pendingBytes += digits.length + 1;
          numbers++;
        },
        (rejection) => {
          rejected++;
          if (rejections.length < KEPT_REJECTIONS) rejections.push(rejection);
        },
      );
      // One COPY in flight while the next chunk of the file is read: the server stores one while this
      // process parses the other.
      let copying: Promise<void> = Promise.resolve();
      const flush = async () => {
        if (pending.length === 0) return;
        const text = `${pending.join('\n')}\n`;
        pending = [];
        pendingBytes = 0;
        await copying;
        copying = copyText(tx.db, table, ['number'], text);
        copying.catch(() => {});
      };
      const received = await feed({
        write: async (chunk) => {
          reader.push(chunk);
          if (pendingBytes >= COPY_CHUNK_BYTES) await flush();
        },
      });
      const asOf = received.asOf ?? input.asOf;
      reader.end();
      await flush();
      await copying;
      if (numbers === 0) {
        throw new AppError(
          'UNPROCESSABLE',
          rejected > 0 ? `no line of the file is a phone number (${rejected} rejected)` : 'the file is empty',
          {
            errors: rejections.slice(0, 20),
          },
        );
      }
      // Enough memory to sort a few million numbers at once rather than in runs on disk.
      await tx.db.execute(sql.raw(`SET LOCAL maintenance_work_mem = '256MB'`));
      await tx.db.execute(sql.raw(`CREATE INDEX ${table}_number_idx ON ${table} (number)`));
      await tx.db.execute(sql.raw(`ANALYZE ${table}`));
      const newer = await queryRows<{ id: string }>(
        tx.db,
        sql`SELECT id FROM registry_snapshots WHERE org_id = ${tx.orgId} AND registry = ${input.registry} AND status = 'ready' AND as_of > ${asOf}::date LIMIT 1`,
      );
      // Copies superseded by an earlier import are dropped now; the one this import supersedes keeps its
      // table until the next, for decisions that read it while this transaction commits.
      const stale = await queryRows<{ serial: number }>(
        tx.db,
        sql`SELECT serial FROM registry_snapshots WHERE org_id = ${tx.orgId} AND registry = ${input.registry} AND status = 'superseded'`,
      );
      for (const { serial } of stale)
        await tx.db.execute(sql.raw(`DROP TABLE IF EXISTS ${registryTable(serial)}`));
      if (newer.length === 0) {
        await tx.db.execute(
          sql`UPDATE registry_snapshots SET status = 'superseded' WHERE org_id = ${tx.orgId} AND registry = ${input.registry} AND status = 'ready'`,
        );
      }
      await tx.db
        .update(registrySnapshots)
        .set({
          status: newer.length === 0 ? 'ready' : 'superseded',
          asOf,
          fileName: received.filename ?? input.fileName ?? null,
          numbers,
          rejectedLines: rejected,
          rejections,
          readyAt: new Date(),
        })
        .where(and(eq(registrySnapshots.orgId, tx.orgId), eq(registrySnapshots.id, snapshot.id)));
      await audit(
        tx,
        'registry.imported',
        { type: 'registry_snapshot', id: snapshot.id },
        { registry: input.registry, asOf, numbers, rejectedLines: rejected },
      );
    });
  } catch (error) {
    await ctx.db
      .update(registrySnapshots)
      .set({
        status: 'failed',
        numbers: 0,
        rejectedLines: rejected,
        rejections,
        error: error instanceof Error ? error.message : String(error),
      })
      .where(and(eq(registrySnapshots.orgId, ctx.orgId), eq(registrySnapshots.id, snapshot.id)));
    throw error;
  }
  return getSnapshot(ctx, snapshot.id);
}

export async function getSnapshot(ctx: Ctx, id: string): Promise<RegistrySnapshot> {
  const [row] = await ctx.db
    .select()
    .from(registrySnapshots)
    .where(and(eq(registrySnapshots.orgId, ctx.orgId), eq(registrySnapshots.id, id)));
  if (!row) throw notFound('Registry snapshot');
  return row;
}

export interface RegistryStatus {
  registry: RegistryName;
  country: string;
  maxAgeDays: number | null;
  /** Whether a rule in force today scrubs against it (Bloctel ended on 10 August 2026). */
  required: boolean;
  current: (RegistrySnapshot & { ageDays: number }) | null;
  /** True when calls that need this registry are refused (REGISTRY_STALE): no copy, or too old. */
  stale: boolean;
  snapshots: RegistrySnapshot[];
}

/** Each registry: the copy in force, its age and size, whether it is too old, and the last imports. */
export async function registryStatus(ctx: Ctx, today: string): Promise<RegistryStatus[]> {
  const rows = await ctx.db
    .select()
    .from(registrySnapshots)
    .where(eq(registrySnapshots.orgId, ctx.orgId))
    .orderBy(desc(registrySnapshots.createdAt))
    .limit(500);
  return REGISTRIES.map((registry) => {
    const mine = rows.filter((r) => r.registry === registry);
    const ready = mine.find((r) => r.status === 'ready');
    const maxAgeDays = registryMaxAgeDays(registry) ?? null;
    const ageDays = ready ? Math.round((Date.parse(today) - Date.parse(ready.asOf)) / DAY) : null;
    return {
      registry,
      country: REGISTRY_COUNTRY[registry],
      maxAgeDays,
      required: RULE_PACKS.some(
        (pack) =>
          pack.effectiveFrom <= today &&
          (!pack.effectiveTo || today <= pack.effectiveTo) &&
          Object.values(pack.rules).some((byAudience) =>
            Object.values(byAudience ?? {}).some((rule) =>
              rule?.registries?.some((r) => r.value.name === registry),
            ),
          ),
      ),
      current: ready && ageDays !== null ? { ...ready, ageDays } : null,
      stale: ageDays === null || (maxAgeDays !== null && ageDays > maxAgeDays),
      snapshots: mine.slice(0, 10),
    };
  });
}
