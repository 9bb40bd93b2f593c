import { and, eq, sql } from 'drizzle-orm';
import {
  type AttemptOutcome,
  type ContactAttempt,
  contactAttempts,
  type InteractionType,
} from '../../db/schema';
import { type Ctx, withTransaction } from '../context';
import { AppError, invalid, notFound } from '../http/errors';
import { insertInteractions } from '../interactions/service';
import { audit } from './audit';
import { recordConsent, withdrawConsentsOf } from './consents';
import { suppressionHint, suppressionKey } from './keys';
import type { ContactChannel } from './rules/types';
import { loadSubjects } from './subjects';
import type { SuppressionChannel } from './suppression-values';
import { insertSuppressions, type NewSuppression } from './suppressions';

/**
 * How a reserved attempt went, and what follows from it: the contact point, the do-not-contact list, the
 * consents and the person's interactions.
 */

export interface OutcomeInput {
  outcome: AttemptOutcome;
  at: Date;
  note?: string;
  /** For do_not_contact: this channel only, or every channel. */
  scope?: 'channel' | 'all';
  /** For consent_given: what the person agreed to, and the proof. */
  consent?: { purpose: string; proof: Record<string, unknown>; expiresAt?: Date | null };
  /** For consent_withdrawn: the proof of the withdrawal. */
  proof?: Record<string, unknown>;
}

const PHONE_INTERACTION: Partial<Record<AttemptOutcome, InteractionType>> = {
  no_answer: 'call_attempted',
  busy: 'call_attempted',
  wrong_number: 'call_attempted',
  voicemail: 'voicemail_left',
  answered: 'call_answered',
  refused: 'call_answered',
  do_not_contact: 'opt_out',
  consent_given: 'call_answered',
  consent_withdrawn: 'opt_out',
};

function interactionType(channel: ContactChannel, outcome: AttemptOutcome): InteractionType | undefined {
  if (outcome === 'cancelled') return undefined;
  if (outcome === 'do_not_contact' || outcome === 'consent_withdrawn') return 'opt_out';
  if (channel === 'phone') return PHONE_INTERACTION[outcome];
  return channel === 'sms' ? 'sms_sent' : 'email_sent';
}

const CANCEL_WITHIN_MS = 15 * 60_000;

/**
 * Records how an attempt went, once, and what follows from it: a wrong number is marked invalid, a refusal
 * starts the cooldown, a do-not-contact is suppressed at once, a consent given or withdrawn is recorded
 * with its proof. The outcome is also logged as an interaction, for scoring and the caller's history.
 */
export async function recordOutcome(ctx: Ctx, id: string, input: OutcomeInput): Promise<ContactAttempt> {
  if (input.outcome === 'consent_given' && !input.consent) {
    throw invalid('a consent needs its purpose and proof', [
      { field: 'consent', message: 'required when the outcome is consent_given' },
    ]);
  }
  return withTransaction(ctx, async (tx) => {
    const [attempt] = await tx.db
      .select()
      .from(contactAttempts)
      .where(and(eq(contactAttempts.orgId, tx.orgId), eq(contactAttempts.id, id)))
      .for('update');
    if (!attempt) throw notFound('Contact attempt');
    if (attempt.outcome)
      throw new AppError('CONFLICT', `this attempt already has its outcome (${attempt.outcome})`, {
        extra: { outcome: attempt.outcome },
      });
    if (!attempt.prospectId) throw new AppError('CONFLICT', "this attempt's person was erased");
    const channel = attempt.channel as ContactChannel;
    if ((input.outcome === 'sent') === (channel === 'phone')) {
      throw invalid(
        input.outcome === 'sent'
          ? 'a call is not sent: say how it went'
          : `a ${channel} is sent, cancelled or answered with do_not_contact or consent`,
        [{ field: 'outcome', message: `not an outcome of a ${channel} attempt` }],
      );
    }
    // A reservation given back at once (the caller skipped, the campaign stopped) was never an attempt;
    // later, the call may have been dialled, and the law counts attempts, answered or not.
    if (input.outcome === 'cancelled' && Date.now() - attempt.at.getTime() > CANCEL_WITHIN_MS) {
      throw new AppError(
        'CONFLICT',
        `a reservation can be cancelled within ${CANCEL_WITHIN_MS / 60_000} minutes; after that it counts as an attempt: record how it went`,
        { extra: { reservedAt: attempt.at.toISOString() } },
      );
    }
    const [updated] = await tx.db
      .update(contactAttempts)
      .set({
        outcome: input.outcome,
        outcomeAt: input.at,
        refused: input.outcome === 'refused' || input.outcome === 'do_not_contact',
      })
      .where(and(eq(contactAttempts.orgId, tx.orgId), eq(contactAttempts.id, id)))
      .returning();
    const effects: Record<string, unknown> = {};
    const point = attempt.contactPointId
      ? (await loadSubjects(tx, [attempt.prospectId])).points.get(attempt.contactPointId)
      : undefined;

    if (input.outcome === 'wrong_number' && point) {
      await tx.db.execute(
        sql`UPDATE contact_points SET status = 'invalid', status_reason = ${`wrong number (attempt ${id})`}, updated_at = now()
            WHERE org_id = ${tx.orgId} AND id = ${point.id}`,
      );
      await audit(
        tx,
        'contact_point.invalidated',
        { type: 'contact_point', id: point.id },
        { attemptId: id },
      );
      effects.contactPointInvalidated = point.id;
    }
    if (input.outcome === 'do_not_contact') {
      const suppressChannel: SuppressionChannel = input.scope === 'all' ? 'all' : channel;
      const source = `attempt ${id}`;
      const entries: NewSuppression[] = [
        {
          scope: 'person',
          hash: suppressionKey('person', attempt.prospectId),
          hint: attempt.prospectId,
          channel: suppressChannel,
          reason: 'asked not to be contacted',
          source,
        },
      ];
      if (point) {
        entries.push({
          scope: 'contact_point',
          hash: suppressionKey('contact_point', point.value, point.channel),
          hint: suppressionHint('contact_point', point.value),
          channel: suppressChannel,
          reason: 'asked not to be contacted',
          source,
        });
      }
      const added = await insertSuppressions(tx, entries);
      effects.suppressions = added.map((a) => a.suppression.id);
      effects.consentsWithdrawn = await withdrawConsentsOf(
        tx,
        { prospectId: attempt.prospectId, contactPointId: point?.id ?? null },
        suppressChannel,
        { at: input.at, proof: { attemptId: id, how: 'asked not to be contacted during the contact' } },
      );
    }
    if (input.outcome === 'consent_given' && input.consent) {
      const consent = await recordConsent(tx, {
        prospectId: attempt.prospectId,
        ...(point ? { contactPointId: point.id } : {}),
        channel,
        purpose: input.consent.purpose,
        basis: 'consent',
        source: `${channel} attempt ${id}`,
        proof: {
          ...input.consent.proof,
          attemptId: id,
          recordedBy: tx.actor.keyId,
          at: input.at.toISOString(),
          how: `given during the ${channel === 'phone' ? 'call' : channel}`,
        },
        givenAt: input.at,
        expiresAt: input.consent.expiresAt ?? null,
      });
      effects.consentId = consent.id;
    }
    if (input.outcome === 'consent_withdrawn') {
      effects.consentsWithdrawn = await withdrawConsentsOf(
        tx,
        { prospectId: attempt.prospectId, contactPointId: point?.id ?? null },
        channel,
        {
          at: input.at,
          proof: {
            ...input.proof,
            attemptId: id,
            how: `withdrawn during the ${channel === 'phone' ? 'call' : channel}`,
          },
        },
      );
    }
    const type = interactionType(channel, input.outcome);
    if (type) {
      await insertInteractions(
        tx,
        [
          {
            prospectId: attempt.prospectId,
            ...(point ? { contactPointId: point.id } : {}),
            type,
            channel,
            occurredAt: input.at,
            outcome: input.outcome,
            ...(attempt.campaign ? { campaign: attempt.campaign } : {}),
            ...(input.note ? { note: input.note } : {}),
            metadata: { attemptId: id },
            source: 'contact-attempt',
          },
          // What the outcome means for contact was recorded above: a withdrawn consent does not suppress.
        ],
        { honourOptOuts: false },
      );
    }
    await audit(
      tx,
      'attempt.outcome',
      { type: 'contact_attempt', id },
      { outcome: input.outcome, prospectId: attempt.prospectId, ...effects },
    );
    return updated!;
  });
}
