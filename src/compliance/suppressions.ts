import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import { type Suppression, type SuppressionScope, suppressions } from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import { AppError, type FieldError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { csvRecords } from '../imports/csv-stream';
import type { TextEncoding } from '../imports/encoding';
import { newId } from '../lib/ids';
import { normalizeEmail } from '../prospects/email';
import { normalizePhone } from '../prospects/phone';
import { audit, auditMany } from './audit';
import { anyHash, personKeys, suppressionHint, suppressionKey } from './keys';

export type SuppressionChannel = 'phone' | 'sms' | 'email' | 'all';

export interface SuppressionInput {
  scope: SuppressionScope;
  /** A number or address (contact_point), a domain (email_domain), a CRM id (external_id). */
  value?: string;
  prospectId?: string;
  companyId?: string;
  channel: SuppressionChannel;
  reason: string;
  source: string;
}

interface Normalized {
  scope: SuppressionScope;
  hash: Buffer;
  hint: string;
}

const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

/** The value a suppression names, normalized the way contact points are, or what is wrong with it. */
export function normalizeSuppression(
  input: Omit<SuppressionInput, 'channel' | 'reason' | 'source'>,
  defaultCountry: string,
): Normalized | FieldError {
  const value = input.value?.trim() ?? '';
  switch (input.scope) {
    case 'contact_point': {
      if (value === '') return { field: 'value', message: 'give the phone number or e-mail address' };
      if (value.includes('@')) {
        const email = normalizeEmail(value);
        if (!email.ok) return { field: 'value', message: email.reason };
        return {
          scope: 'contact_point',
          hash: suppressionKey('contact_point', email.value, 'email'),
          hint: suppressionHint('contact_point', email.value),
        };
      }
      const phone = normalizePhone(value, defaultCountry);
      if (!phone.ok) return { field: 'value', message: phone.reason };
      return {
        scope: 'contact_point',
        hash: suppressionKey('contact_point', phone.e164, 'phone'),
        hint: suppressionHint('contact_point', phone.e164),
      };
    }
    case 'email_domain': {
      const domain = value.replace(/^.*@/, '').toLowerCase();
      if (!DOMAIN.test(domain)) return { field: 'value', message: `"${value}" is not an e-mail domain` };
      return { scope: 'email_domain', hash: suppressionKey('email_domain', domain), hint: domain };
    }
    case 'external_id':
      if (value === '') return { field: 'value', message: "give the record's id in its CRM" };
      return {
        scope: 'external_id',
        hash: suppressionKey('external_id', value),
        hint: suppressionHint('external_id', value),
      };
    case 'person':
      if (!input.prospectId) return { field: 'prospectId', message: 'give the prospect to suppress' };
      return { scope: 'person', hash: suppressionKey('person', input.prospectId), hint: input.prospectId };
    case 'company':
      if (!input.companyId) return { field: 'companyId', message: 'give the company to suppress' };
      return { scope: 'company', hash: suppressionKey('company', input.companyId), hint: input.companyId };
  }
}

async function requireRecord(ctx: Ctx, input: SuppressionInput): Promise<void> {
  if (input.scope === 'person') {
    const rows = await queryRows(
      ctx.db,
      sql`SELECT 1 FROM prospects WHERE org_id = ${ctx.orgId} AND id = ${input.prospectId}`,
    );
    if (rows.length === 0) throw notFound('Prospect');
  }
  if (input.scope === 'company') {
    const rows = await queryRows(
      ctx.db,
      sql`SELECT 1 FROM companies WHERE org_id = ${ctx.orgId} AND id = ${input.companyId}`,
    );
    if (rows.length === 0) throw notFound('Company');
  }
}

/**
 * Records that someone must not be contacted, at once. The same value on the same channel twice is one
 * entry (the first is returned).
 */
export async function addSuppression(
  ctx: Ctx,
  input: SuppressionInput,
  defaultCountry: string,
): Promise<{ suppression: Suppression; created: boolean }> {
  const normalized = normalizeSuppression(input, defaultCountry);
  if ('message' in normalized)
    throw invalid(`the suppression's ${normalized.field} is not valid`, [normalized]);
  return withTransaction(ctx, async (tx) => {
    await requireRecord(tx, input);
    const result = await insertSuppressions(tx, [
      { ...normalized, channel: input.channel, reason: input.reason, source: input.source },
    ]);
    return result[0]!;
  });
}

export interface NewSuppression extends Omit<Normalized, 'hint'> {
  /** Null for entries kept after an erasure: not even part of the value remains. */
  hint: string | null;
  channel: SuppressionChannel;
  reason: string;
  source: string;
}

/** Inserts entries that are not already active; serialized per organization so that two requests make one. */
export async function insertSuppressions(
  ctx: Ctx,
  entries: NewSuppression[],
): Promise<{ suppression: Suppression; created: boolean }[]> {
  if (entries.length === 0) return [];
  return withTransaction(ctx, async (tx) => {
    await tx.db.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`suppressions:${tx.orgId}`}, 0))`,
    );
    const existing = await tx.db
      .select()
      .from(suppressions)
      .where(
        and(
          eq(suppressions.orgId, tx.orgId),
          isNull(suppressions.removedAt),
          sql`${suppressions.valueHash} = ${anyHash(entries.map((e) => e.hash))}`,
        ),
      );
    // An erasure keeps an entry of its own, which no admin can remove, even where an ordinary one exists.
    const keyOf = (hash: Buffer, channel: string, reason: string) =>
      `${hash.toString('hex')} ${channel}${reason === 'erasure' ? ' erasure' : ''}`;
    const known = new Map(existing.map((s) => [keyOf(s.valueHash, s.channel, s.reason), s]));
    const results: { suppression: Suppression; created: boolean }[] = [];
    const fresh: (typeof suppressions.$inferInsert & { id: string })[] = [];
    for (const entry of entries) {
      const key = keyOf(entry.hash, entry.channel, entry.reason);
      const found = known.get(key);
      if (found) {
        results.push({ suppression: found, created: false });
        continue;
      }
      const row = {
        orgId: tx.orgId,
        id: newId(),
        scope: entry.scope,
        channel: entry.channel,
        valueHash: entry.hash,
        hint: entry.hint,
        reason: entry.reason,
        source: entry.source,
        createdBy: tx.actor.keyId,
      };
      fresh.push(row);
      const suppression = {
        ...row,
        createdAt: new Date(),
        removedAt: null,
        removedBy: null,
        removalReason: null,
      } as Suppression;
      known.set(key, suppression);
      results.push({ suppression, created: true });
    }
    for (let i = 0; i < fresh.length; i += 1000) {
      const slice = fresh.slice(i, i + 1000);
      await tx.db.insert(suppressions).values(slice);
      await auditMany(
        tx,
        slice.map((row) => ({
          action: 'suppression.added' as const,
          subject: { type: 'suppression', id: row.id },
          details: { scope: row.scope, channel: row.channel, reason: row.reason, source: row.source },
        })),
      );
    }
    return results;
  });
}

/** Takes a suppression off the list, keeping the record: an admin's act, with a reason. Erasures stay. */
export async function removeSuppression(ctx: Ctx, id: string, reason: string): Promise<Suppression> {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select()
      .from(suppressions)
      .where(and(eq(suppressions.orgId, tx.orgId), eq(suppressions.id, id)))
      .for('update');
    if (!row) throw notFound('Suppression');
    if (row.removedAt)
      throw new AppError('CONFLICT', 'this suppression was already removed', {
        extra: { removedAt: row.removedAt },
      });
    if (row.reason === 'erasure') {
      throw new AppError(
        'CONFLICT',
        'this suppression keeps an erased person from being contacted again and cannot be removed',
      );
    }
    const [updated] = await tx.db
      .update(suppressions)
      .set({ removedAt: new Date(), removedBy: tx.actor.keyId, removalReason: reason })
      .where(and(eq(suppressions.orgId, tx.orgId), eq(suppressions.id, id)))
      .returning();
    await audit(
      tx,
      'suppression.removed',
      { type: 'suppression', id },
      { reason, scope: row.scope, channel: row.channel },
    );
    return updated!;
  });
}

export interface SuppressionFilters {
  scope?: SuppressionScope;
  channel?: SuppressionChannel;
  reason?: string;
  includeRemoved?: boolean;
  limit: number;
  cursor?: string;
}

export async function listSuppressions(ctx: Ctx, f: SuppressionFilters) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(suppressions)
    .where(
      and(
        eq(suppressions.orgId, ctx.orgId),
        f.scope ? eq(suppressions.scope, f.scope) : undefined,
        f.channel ? eq(suppressions.channel, f.channel) : undefined,
        f.reason ? eq(suppressions.reason, f.reason) : undefined,
        f.includeRemoved ? undefined : isNull(suppressions.removedAt),
        after ? lt(suppressions.id, after) : undefined,
      ),
    )
    .orderBy(desc(suppressions.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

export async function getSuppression(ctx: Ctx, id: string): Promise<Suppression> {
  const [row] = await ctx.db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.orgId, ctx.orgId), eq(suppressions.id, id)));
  if (!row) throw notFound('Suppression');
  return row;
}

/** The active suppressions that name a value (number, address, domain or CRM id). */
export async function findSuppressions(
  ctx: Ctx,
  value: string,
  defaultCountry: string,
): Promise<Suppression[]> {
  const hashes: Buffer[] = [];
  for (const scope of ['contact_point', 'email_domain', 'external_id'] as const) {
    const normalized = normalizeSuppression({ scope, value }, defaultCountry);
    if (!('message' in normalized)) hashes.push(normalized.hash);
  }
  if (hashes.length === 0) return [];
  return ctx.db
    .select()
    .from(suppressions)
    .where(
      and(
        eq(suppressions.orgId, ctx.orgId),
        isNull(suppressions.removedAt),
        sql`${suppressions.valueHash} = ${anyHash(hashes)}`,
      ),
    );
}

const CHANNELS = new Set(['phone', 'sms', 'email', 'all']);
const VALUE_COLUMNS =
  /^(value|valeur|phone|t[ée]l[ée]?phone|tel|mobile|portable|number|num[ée]ro|e-?mail|courriel|mail|address|adresse|domain|domaine)$/i;

const CHANNEL_COLUMNS = /^(channel|canal|kanal)$/i;
const REASON_COLUMNS = /^(reason|motif|raison|cause|grund)$/i;
const SOURCE_COLUMNS = /^(source|origine|provenance|quelle)$/i;
const SCOPE_COLUMNS = /^(scope|port[ée]e|type)$/i;

export interface SuppressionImport {
  created: number;
  existing: number;
  rejected: FieldError[];
}

/**
 * Imports a do-not-contact list from CSV: a column with the number, address or domain (value, phone,
 * email, domain, téléphone…), and optionally channel, reason and source; a file of bare values works
 * too. Bad lines are reported by line and the rest imported.
 */
export async function importSuppressions(
  ctx: Ctx,
  bytes: AsyncIterable<Uint8Array>,
  options: {
    encoding: TextEncoding;
    defaults: { channel: SuppressionChannel; reason: string; source: string };
    defaultCountry: string;
  },
): Promise<SuppressionImport> {
  const entries: NewSuppression[] = [];
  const rejected: FieldError[] = [];
  let columns: { value: number; channel: number; reason: number; source: number; scope: number } | undefined;
  for await (const records of csvRecords(
    bytes,
    { encoding: options.encoding },
    { delimiter: '', bytesRead: 0 },
  )) {
    for (const record of records) {
      const fields = record.fields.map((f) => f.trim());
      if (fields.every((f) => f === '')) continue;
      if (!columns) {
        const names = fields.map((f) => f.toLowerCase());
        const value = names.findIndex((n) => VALUE_COLUMNS.test(n));
        if (value !== -1) {
          columns = {
            value,
            channel: names.findIndex((n) => CHANNEL_COLUMNS.test(n)),
            reason: names.findIndex((n) => REASON_COLUMNS.test(n)),
            source: names.findIndex((n) => SOURCE_COLUMNS.test(n)),
            scope: names.findIndex((n) => SCOPE_COLUMNS.test(n)),
          };
          continue;
        }
        columns = { value: 0, channel: -1, reason: -1, source: -1, scope: -1 };
      }
      const value = fields[columns.value] ?? '';
      const given = (columns.channel >= 0 && fields[columns.channel]?.toLowerCase()) || undefined;
      // The request's channel is a default for values it fits: an address in a phone list is an e-mail.
      const channel =
        given ??
        (value.includes('@') && options.defaults.channel !== 'all' ? 'email' : options.defaults.channel);
      if (!CHANNELS.has(channel)) {
        rejected.push({
          line: record.line,
          field: 'channel',
          message: `"${channel}" is not phone, sms, email or all`,
        });
        continue;
      }
      const scopeText = columns.scope >= 0 ? fields[columns.scope] : '';
      const scope: SuppressionScope =
        scopeText === 'email_domain' || scopeText === 'external_id'
          ? scopeText
          : !value.includes('@') && value.includes('.') && !/\d/.test(value)
            ? 'email_domain'
            : 'contact_point';
      const normalized = normalizeSuppression({ scope, value }, options.defaultCountry);
      if ('message' in normalized) {
        rejected.push({ line: record.line, field: 'value', message: normalized.message });
        continue;
      }
      entries.push({
        ...normalized,
        channel: channel as SuppressionChannel,
        reason: (columns.reason >= 0 && fields[columns.reason]) || options.defaults.reason,
        source: (columns.source >= 0 && fields[columns.source]) || options.defaults.source,
      });
    }
  }
  const results = await insertSuppressions(ctx, entries);
  const created = results.filter((r) => r.created).length;
  return { created, existing: results.length - created, rejected };
}

/** What the do-not-contact list may name of a person: them, their company, CRM id, numbers and addresses. */
export interface SuppressibleSubject {
  id: string;
  companyId: string | null;
  /** The company's web domain: a suppressed e-mail domain names everyone there, as decisions read it. */
  companyDomain: string | null;
  externalId: string | null;
  contactPoints: { channel: 'phone' | 'email'; value: string; domain: string | null }[];
}

/**
 * The channels each person is on the do-not-contact list for, by anything that names them (`all`, or some
 * of phone, sms and email; empty when none), in one statement for a page of people: what a list shows
 * beside a score, so that a manager does not send a dialer someone a decision would refuse.
 */
export async function suppressedChannels(
  ctx: Ctx,
  people: SuppressibleSubject[],
): Promise<Map<string, string[]>> {
  const keysOf = new Map<string, string[]>();
  for (const person of people) {
    // The same keys decisions read (facts.ts), so that the marker and a decision agree.
    const keys = personKeys({
      ...person,
      domains: [...person.contactPoints.map((point) => point.domain), person.companyDomain],
    });
    for (const point of person.contactPoints)
      keys.push(suppressionKey('contact_point', point.value, point.channel));
    keysOf.set(
      person.id,
      keys.map((k) => k.toString('hex')),
    );
  }
  const all = [...new Set([...keysOf.values()].flat())];
  const found =
    all.length === 0
      ? []
      : await queryRows<{ hash: string; channel: string }>(
          ctx.db,
          sql`SELECT encode(value_hash, 'hex') AS hash, channel FROM suppressions
              WHERE org_id = ${ctx.orgId} AND removed_at IS NULL AND value_hash = ${anyHash(all)}`,
        );
  const channelsOf = new Map<string, Set<string>>();
  for (const row of found) channelsOf.set(row.hash, (channelsOf.get(row.hash) ?? new Set()).add(row.channel));
  const result = new Map<string, string[]>();
  for (const [id, keys] of keysOf) {
    const channels = new Set(keys.flatMap((k) => [...(channelsOf.get(k) ?? [])]));
    result.set(id, channels.has('all') ? ['all'] : [...channels].sort());
  }
  return result;
}
