import { and, desc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import {
  type Interaction,
  type InteractionChannel,
  type InteractionType,
  interactions,
} from '../../db/schema';
import { honourOptOuts } from '../compliance/opt-outs';
import { type Ctx, withTransaction } from '../context';
import { queryRows } from '../db';
import { type FieldError, invalid } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { newId } from '../lib/ids';
import { queueScoring } from '../scoring/queue';
import { channelOfType, pointFitsChannel, stopAskedBy } from './types';

export interface InteractionInput {
  prospectId: string;
  contactPointId?: string;
  type: InteractionType;
  channel?: InteractionChannel;
  occurredAt: Date;
  /** False when occurredAt is the clock's because the source gave none (default true). */
  timeGiven?: boolean;
  outcome?: string;
  campaign?: string;
  note?: string;
  metadata?: Record<string, unknown>;
  externalId?: string;
  source?: string;
}

// Timestamps travel as text: drizzle's postgres.js driver passes timestamptz[] parameters unserialized.
const p = sql.param;

/** An event as a client sends it: without an instant, it happened when it is recorded. */
export type SentInteraction = Omit<InteractionInput, 'occurredAt'> & { occurredAt?: Date };

/**
 * Appends events to the log, all or none. Events already recorded with the same externalId (for the same
 * type, person and time, or for the same type and person when either the event or the one recorded gave
 * no time) are left out and counted as duplicates, so that a replayed feed adds nothing.
 */
export async function recordInteractions(
  ctx: Ctx,
  sent: SentInteraction[],
  fieldPrefix = 'items',
  now = new Date(),
) {
  if (sent.length === 0) return { created: [], duplicates: 0 };
  return withTransaction(ctx, async (tx) => {
    const errors = await checkReferences(tx, sent, fieldPrefix);
    if (errors.length > 0)
      throw invalid('some events name records this organization does not have, or not theirs', errors);
    await lockReplayKeys(
      tx,
      sent.flatMap((i) => (i.externalId ? [{ key: replayKey(i), exclusive: !i.occurredAt }] : [])),
    );
    const known = await untimedReplays(tx, sent);
    // Sent beside the same event with its time, an event without one is that event: the time is kept.
    for (const i of sent) if (i.occurredAt && i.externalId) known.add(replayKey(i));
    const inputs = sent.flatMap((i) =>
      i.occurredAt
        ? [{ ...i, occurredAt: i.occurredAt }]
        : known.has(replayKey(i))
          ? []
          : [{ ...i, occurredAt: now, timeGiven: false }],
    );
    const created = await insertInteractions(tx, inputs, { keysLocked: true });
    return { created, duplicates: sent.length - created.length };
  });
}

const replayKey = (i: { type: string; externalId?: string | null; prospectId: string }) =>
  `${i.type} ${i.prospectId} ${i.externalId}`;

/** How many locks an organization's event keys share (lockReplayKeys): a bound on the locks a batch holds. */
const REPLAY_LOCKS = 256;

/**
 * Locks the keys of events with an externalId (replayKey) until the transaction ends: exclusively for an
 * event sent without a time, which is a replay of any event of its key; shared for one with its time, so
 * that timed events never wait for each other. An event sent without its time and the same event sent with
 * it at the same moment then never both find the other absent and both insert. Keys share REPLAY_LOCKS
 * locks per organization (a lock per key would fill PostgreSQL's lock table on a large import), taken in
 * one order, in one statement, each in the strongest mode a key of the batch asks.
 */
async function lockReplayKeys(ctx: Ctx, keys: { key: string; exclusive: boolean }[]): Promise<void> {
  if (keys.length === 0) return;
  await queryRows(
    ctx.db,
    sql`SELECT CASE WHEN x.exclusive THEN pg_advisory_xact_lock(x.space, x.slot)
                    ELSE pg_advisory_xact_lock_shared(x.space, x.slot) END
        FROM (
          SELECT hashtext(${ctx.orgId}::text || ' interaction') AS space,
                 abs(hashtext(k.key) % ${REPLAY_LOCKS}) AS slot, bool_or(k.exclusive) AS exclusive
          FROM unnest(${p(keys.map((k) => k.key))}::text[], ${p(keys.map((k) => (k.exclusive ? 't' : 'f')))}::text[]::boolean[])
            AS k(key, exclusive)
          GROUP BY 2 ORDER BY 2 OFFSET 0
        ) x`,
  );
}

/**
 * The events without a time whose externalId is already in the log for that type and person. Such an
 * event's time is the clock's, so the unique index (which holds the time) never sees it replayed; its key
 * is locked first (lockReplayKeys), so that two replays at once cannot both find nothing and insert.
 */
async function untimedReplays(ctx: Ctx, sent: SentInteraction[]): Promise<Set<string>> {
  const untimed = sent.filter((i) => !i.occurredAt && i.externalId);
  if (untimed.length === 0) return new Set();
  const rows = await queryRows<{ type: string; prospect_id: string; external_id: string }>(
    ctx.db,
    sql`SELECT DISTINCT i.type, i.prospect_id, i.external_id FROM interactions i
        JOIN unnest(${p(untimed.map((i) => i.type))}::text[], ${p(untimed.map((i) => i.prospectId))}::uuid[],
          ${p(untimed.map((i) => i.externalId!))}::text[]) AS u(type, prospect_id, external_id)
          ON i.type = u.type AND i.prospect_id = u.prospect_id AND i.external_id = u.external_id
        WHERE i.org_id = ${ctx.orgId}`,
  );
  return new Set(
    rows.map((r) => replayKey({ type: r.type, prospectId: r.prospect_id, externalId: r.external_id })),
  );
}

async function checkReferences(
  ctx: Ctx,
  inputs: SentInteraction[],
  fieldPrefix: string,
): Promise<FieldError[]> {
  const prospectIds = [...new Set(inputs.map((i) => i.prospectId))];
  const contactPointIds = [...new Set(inputs.flatMap((i) => (i.contactPointId ? [i.contactPointId] : [])))];
  const [prospects, contactPoints] = await Promise.all([
    queryRows<{ id: string }>(
      ctx.db,
      // Locked until the events are in: an erasure or a deletion of the person waits for them and takes
      // them too, or comes first and the events find nobody (their notes outlived an erasure otherwise).
      sql`SELECT id FROM prospects WHERE org_id = ${ctx.orgId} AND id = ANY(${p(prospectIds)}::uuid[]) FOR KEY SHARE`,
    ),
    contactPointIds.length === 0
      ? Promise.resolve([])
      : queryRows<{ id: string; channel: 'phone' | 'email'; prospect_ids: string[] }>(
          ctx.db,
          sql`SELECT id, channel, prospect_ids FROM contact_points
              WHERE org_id = ${ctx.orgId} AND id = ANY(${p(contactPointIds)}::uuid[])`,
        ),
  ]);
  const knownProspects = new Set(prospects.map((r) => r.id));
  const knownContactPoints = new Map(contactPoints.map((r) => [r.id, r]));
  const errors: FieldError[] = [];
  inputs.forEach((input, i) => {
    const at = inputs.length === 1 && fieldPrefix === '' ? '' : `${fieldPrefix}[${i}].`;
    if (!knownProspects.has(input.prospectId))
      errors.push({ field: `${at}prospectId`, message: `no prospect ${input.prospectId}` });
    if (!input.contactPointId) return;
    const point = knownContactPoints.get(input.contactPointId);
    const channel = input.channel ?? channelOfType(input.type);
    const field = `${at}contactPointId`;
    if (!point) errors.push({ field, message: `no contact point ${input.contactPointId}` });
    // Someone else's number would be suppressed by this person's opt-out.
    else if (!point.prospect_ids.includes(input.prospectId))
      errors.push({
        field,
        message: `contact point ${input.contactPointId} is not prospect ${input.prospectId}'s`,
      });
    else if (!pointFitsChannel(channel, point.channel))
      errors.push({
        field,
        message: `${point.channel === 'email' ? 'an e-mail address' : 'a phone number'} cannot carry an event on the ${channel} channel`,
      });
  });
  return errors;
}

/** What the log's unique index holds of an event, as one text (for an order, not a look-up). */
const uniqueKey = (i: InteractionInput) =>
  `${i.externalId ?? ''}\u0000${i.type}\u0000${i.prospectId}\u0000${i.occurredAt.toISOString()}`;
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Inserts events whose references were checked, and queues the people they touch for rescoring; returns
 * those actually added. An event is left out when its externalId is already in the log for its type,
 * person and time, or for its type and person on an event recorded without a time (which stands for the
 * same event at whatever time it is sent again). Opt-outs and complaints among them, and events whose
 * outcome asks not to be contacted again, are honoured (suppressed, consents withdrawn), unless the caller
 * does it itself (`honourOptOuts: false`, a contact attempt's outcome). Runs in the caller's transaction.
 */
export async function insertInteractions(
  ctx: Ctx,
  inputs: InteractionInput[],
  options: { honourOptOuts?: boolean; keysLocked?: boolean } = {},
) {
  // Their keys shared-locked, unless the caller locked them (recordInteractions): an event sent without its
  // time at the same moment waits for these, or these for it (lockReplayKeys).
  if (!options.keysLocked)
    await lockReplayKeys(
      ctx,
      inputs.flatMap((i) => (i.externalId ? [{ key: replayKey(i), exclusive: false }] : [])),
    );
  // Ids in the order sent (the answer lists the events by id); rows written in one order of their unique
  // key: two batches replaying the same events in other orders would each wait for the other's (a
  // deadlock, and a 500).
  const ids = inputs.map(() => newId());
  const keys = inputs.map(uniqueKey);
  const order = inputs.map((_, i) => i).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
  const sorted = order.map((i) => inputs[i]!);
  const col = <T>(f: (i: InteractionInput) => T | undefined) => sorted.map((i) => f(i) ?? null);
  const rows = await queryRows<{ id: string }>(
    ctx.db,
    sql`INSERT INTO interactions (id, org_id, prospect_id, contact_point_id, type, channel, occurred_at, time_given,
          outcome, campaign, note, metadata, external_id, source)
        SELECT u.id, ${ctx.orgId}::uuid, u.prospect_id, u.contact_point_id, u.type, u.channel, u.occurred_at, u.time_given,
          u.outcome, u.campaign, u.note, u.metadata, u.external_id, u.source
        FROM unnest(${p(order.map((i) => ids[i]!))}::uuid[], ${p(col((i) => i.prospectId))}::uuid[],
          ${p(col((i) => i.contactPointId))}::uuid[], ${p(col((i) => i.type))}::text[],
          ${p(col((i) => i.channel ?? channelOfType(i.type)))}::text[],
          ${p(col((i) => i.occurredAt.toISOString()))}::text[]::timestamptz[],
          ${p(col((i) => (i.timeGiven === false ? 'f' : 't')))}::text[]::boolean[], ${p(col((i) => i.outcome))}::text[],
          ${p(col((i) => i.campaign))}::text[], ${p(col((i) => i.note))}::text[],
          ${p(col((i) => JSON.stringify(i.metadata ?? {})))}::text[]::jsonb[], ${p(col((i) => i.externalId))}::text[],
          ${p(col((i) => i.source ?? 'api'))}::text[])
          AS u(id, prospect_id, contact_point_id, type, channel, occurred_at, time_given, outcome, campaign, note, metadata,
            external_id, source)
        WHERE u.external_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM interactions x WHERE x.org_id = ${ctx.orgId} AND x.type = u.type
            AND x.external_id = u.external_id AND x.prospect_id = u.prospect_id AND NOT x.time_given)
        ON CONFLICT (org_id, type, external_id, prospect_id, occurred_at) WHERE external_id IS NOT NULL DO NOTHING
        RETURNING id`,
  );
  if (rows.length === 0) return [];
  await queueScoring(ctx, [...new Set(inputs.map((i) => i.prospectId))]);
  const created = await ctx.db
    .select()
    .from(interactions)
    .where(
      and(
        eq(interactions.orgId, ctx.orgId),
        sql`${interactions.id} = ANY(${p(rows.map((r) => r.id))}::uuid[])`,
      ),
    )
    .orderBy(interactions.id);
  if (options.honourOptOuts !== false) await honourOptOuts(ctx, created.map(asOptOut));
  return created;
}

/**
 * An event whose outcome is "Ne plus appeler" or "DNC" is the person's opt-out from calls: honoured as an
 * opt_out on the phone would be. The log keeps the event as it came.
 */
function asOptOut(event: Interaction): Interaction {
  const channel = stopAskedBy(event);
  return channel ? { ...event, type: 'opt_out', channel } : event;
}

export interface InteractionFilters {
  prospectId?: string;
  type?: InteractionType;
  channel?: InteractionChannel;
  campaign?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

export async function listInteractions(ctx: Ctx, f: InteractionFilters) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(interactions)
    .where(
      and(
        eq(interactions.orgId, ctx.orgId),
        f.prospectId ? eq(interactions.prospectId, f.prospectId) : undefined,
        f.type ? eq(interactions.type, f.type) : undefined,
        f.channel ? eq(interactions.channel, f.channel) : undefined,
        f.campaign ? eq(interactions.campaign, f.campaign) : undefined,
        f.since ? gte(interactions.occurredAt, f.since) : undefined,
        f.until ? lte(interactions.occurredAt, f.until) : undefined,
        after ? lt(interactions.id, after) : undefined,
      ),
    )
    .orderBy(desc(interactions.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

export async function getInteraction(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select()
    .from(interactions)
    .where(and(eq(interactions.orgId, ctx.orgId), eq(interactions.id, id)));
  return row;
}

/** Latest events of one prospect, by when they happened. */
export async function latestInteractions(ctx: Ctx, prospectId: string, limit = 10) {
  return ctx.db
    .select()
    .from(interactions)
    .where(and(eq(interactions.orgId, ctx.orgId), eq(interactions.prospectId, prospectId)))
    .orderBy(desc(interactions.occurredAt))
    .limit(limit);
}
