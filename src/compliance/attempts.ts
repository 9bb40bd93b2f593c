import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { type ContactAttempt, contactAttempts, prospects } from '../../db/schema';
import type { Ctx } from '../context';
import { type Db, queryRows } from '../db';
import { AppError, invalid, notFound } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { newId } from '../lib/ids';
import { audit } from './audit';
import { bestOf, type CandidateDecision, decideCandidates } from './decisions';
import type { ContactChannel } from './rules/types';
import { loadSubjects, pointsById, pointsFor, type SubjectProspect } from './subjects';

export interface ReservationInput {
  prospectId?: string;
  contactPointId?: string;
  channel: ContactChannel;
  campaign?: string;
  sector?: string;
}

/** A refused reservation: 409 with the decision's reasons and when to try again. */
export class ReservationRefused extends AppError {
  constructor(readonly decision: CandidateDecision) {
    super('CONFLICT', `contact not allowed now: ${decision.reasons.map((r) => r.code).join(', ')}`, {
      extra: {
        reasons: decision.reasons,
        nextAllowedAt: decision.nextAllowedAt?.toISOString() ?? null,
        jurisdiction: decision.jurisdiction,
        rules: decision.rules,
        prospectId: decision.prospectId,
        contactPointId: decision.contactPointId,
      },
    });
  }
}

/**
 * Locks what the caps count before reading them: the person, each of their contact points (a number
 * shared with another record is locked by both) and their company. Keys are taken in one sorted order,
 * so two reservations never wait on each other in a circle; the locks end with the transaction.
 */
async function lockSubjects(ctx: Ctx, keys: string[]): Promise<Date> {
  const sorted = [...new Set(keys.map((k) => `${ctx.orgId}:${k}`))].sort();
  const [locked] = await queryRows<{ at: Date | string }>(
    ctx.db,
    sql`SELECT clock_timestamp() AS at FROM (
          SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
          FROM (SELECT unnest(${sql.param(sorted)}::text[]) AS k ORDER BY 1) AS keys
        ) AS locked`,
  );
  return new Date(locked!.at);
}

type Person = Pick<SubjectProspect, 'id' | 'companyId' | 'contactPoints'>;

/** The lock keys of what a reservation for this person counts: them, their numbers and addresses, their company. */
function subjectKeys(person: Person, input: ReservationInput): string[] {
  return [
    `prospect:${person.id}`,
    ...person.contactPoints.map((l) => `cp:${l.id}`),
    ...(input.contactPointId ? [`cp:${input.contactPointId}`] : []),
    ...(person.companyId ? [`company:${person.companyId}`] : []),
  ];
}

/**
 * The person's company and contact points, their row share-locked until the reservation ends: an erasure
 * (which locks the row for update) waits for the attempt and anonymizes it, or went first and the person
 * is not found; a deletion too. Unlocked, an attempt committed after an erasure kept the erased person's id.
 */
async function lockPerson(ctx: Ctx, id: string): Promise<Person | undefined> {
  const [person] = await ctx.db
    .select({ id: prospects.id, companyId: prospects.companyId, contactPoints: prospects.contactPoints })
    .from(prospects)
    .where(and(eq(prospects.orgId, ctx.orgId), eq(prospects.id, id)))
    .for('key share');
  return person;
}

/** The person moved to a company, or gained a contact point, between the first read and the locks. */
class SubjectsChanged extends Error {}

/** Enough for a person edited again and again while a reservation waits; each round is a few milliseconds. */
const RESERVATION_ROUNDS = 5;

/**
 * Runs `fn` in a transaction of its own, or in a savepoint of the caller's (withTransaction would join it):
 * rolling either back releases the locks taken in it, so that a round that starts over takes them in order.
 */
function ownTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  return ctx.db.transaction((tx) => fn({ ...ctx, db: tx as unknown as Db, inTransaction: true }));
}

/** The one record a contact point belongs to; a number shared by several records needs the caller to say whose. */
async function ownerOf(ctx: Ctx, contactPointId: string): Promise<string> {
  const [point] = await pointsById(ctx, [contactPointId]);
  if (!point) throw notFound('Contact point');
  if (point.prospectIds.length !== 1) {
    const message =
      point.prospectIds.length === 0
        ? 'this contact point belongs to no prospect'
        : `this contact point belongs to ${point.prospectIds.length} prospects: say which one`;
    throw invalid(message, [{ field: 'prospectId', message }]);
  }
  return point.prospectIds[0]!;
}

/**
 * Reserves an attempt now: decides and records in one transaction under the subjects' locks, so that
 * parallel requests, from any number of processes, never exceed a cap or a budget. Which locks to take is
 * known only from a read made before them; when the read under the locks names a company or a contact
 * point that was not locked (the person moved, or was given a number, meanwhile), the round is rolled
 * back, its locks with it, and starts over: counting that company's calls unlocked let a cap be exceeded.
 */
export async function reserveAttempt(
  ctx: Ctx,
  input: ReservationInput,
): Promise<{ attempt: ContactAttempt; decision: CandidateDecision }> {
  const prospectId = input.prospectId ?? (await ownerOf(ctx, input.contactPointId!));
  for (let round = 1; ; round++) {
    try {
      return await ownTransaction(ctx, (tx) => reserveLocked(tx, prospectId, input));
    } catch (error) {
      if (!(error instanceof SubjectsChanged)) throw error;
      if (round === RESERVATION_ROUNDS)
        throw new AppError(
          'CONFLICT',
          'the person’s company or contact points kept changing while the attempt was reserved: try again',
        );
    }
  }
}

/** One round of reserveAttempt, in its transaction: SubjectsChanged when the locks taken are not enough. */
async function reserveLocked(
  tx: Ctx,
  prospectId: string,
  input: ReservationInput,
): Promise<{ attempt: ContactAttempt; decision: CandidateDecision }> {
  const known = await lockPerson(tx, prospectId);
  if (!known) throw notFound('Prospect');
  const locked = subjectKeys(known, input);
  // The instant is the database's clock once the locks are held: every attempt that counts against this
  // one was committed before, and so is earlier, whichever process and clock reserved it.
  const now = await lockSubjects(tx, locked);
  // Read again under the locks: what another reservation committed meanwhile is now visible.
  const subjects = await loadSubjects(tx, [prospectId]);
  const prospect = subjects.prospects.get(prospectId);
  if (!prospect) throw notFound('Prospect');
  if (subjectKeys(prospect, input).some((key) => !locked.includes(key))) throw new SubjectsChanged();
  let points = pointsFor(subjects, prospect, input.channel);
  if (input.contactPointId) {
    const point = subjects.points.get(input.contactPointId);
    if (!point || !prospect.contactPoints.some((l) => l.id === point.id))
      throw notFound('Contact point of this prospect');
    if ((point.channel === 'email') !== (input.channel === 'email')) {
      throw invalid(`a ${point.channel} contact point cannot carry ${input.channel}`, [
        { field: 'contactPointId', message: `is an ${point.channel} contact point` },
      ]);
    }
    points = [point];
  }
  const candidates =
    points.length > 0 ? points.map((point) => ({ prospect, point })) : [{ prospect, point: null }];
  const decisions = await decideCandidates(tx, subjects, candidates, {
    channel: input.channel,
    at: now,
    sector: input.sector ?? null,
  });
  const decision = bestOf(decisions);
  if (!decision.allowed) throw new ReservationRefused(decision);
  const [attempt] = await tx.db
    .insert(contactAttempts)
    .values({
      orgId: tx.orgId,
      id: newId(),
      prospectId: prospect.id,
      contactPointId: decision.contactPointId,
      companyId: prospect.companyId,
      channel: input.channel,
      at: now,
      campaign: input.campaign ?? null,
      sector: input.sector ?? null,
      reservedBy: tx.actor.keyId,
      checked: decision.checked,
    })
    .returning();
  await audit(
    tx,
    'attempt.reserved',
    { type: 'contact_attempt', id: attempt!.id },
    {
      prospectId: prospect.id,
      contactPointId: decision.contactPointId,
      channel: input.channel,
      campaign: input.campaign ?? null,
      rules: decision.rules,
      checked: decision.checked,
    },
  );
  return { attempt: attempt!, decision };
}

export interface AttemptFilters {
  prospectId?: string;
  contactPointId?: string;
  campaign?: string;
  since?: Date;
  limit: number;
  cursor?: string;
}

export async function listAttempts(ctx: Ctx, f: AttemptFilters) {
  const after = decodeCursor(f.cursor);
  const rows = await ctx.db
    .select()
    .from(contactAttempts)
    .where(
      and(
        eq(contactAttempts.orgId, ctx.orgId),
        f.prospectId ? eq(contactAttempts.prospectId, f.prospectId) : undefined,
        f.contactPointId ? eq(contactAttempts.contactPointId, f.contactPointId) : undefined,
        f.campaign ? eq(contactAttempts.campaign, f.campaign) : undefined,
        f.since ? gte(contactAttempts.at, f.since) : undefined,
        after ? lt(contactAttempts.id, after) : undefined,
      ),
    )
    .orderBy(desc(contactAttempts.id))
    .limit(f.limit + 1);
  return page(rows, f.limit);
}

export async function getAttempt(ctx: Ctx, id: string): Promise<ContactAttempt> {
  const [row] = await ctx.db
    .select()
    .from(contactAttempts)
    .where(and(eq(contactAttempts.orgId, ctx.orgId), eq(contactAttempts.id, id)));
  if (!row) throw notFound('Contact attempt');
  return row;
}
