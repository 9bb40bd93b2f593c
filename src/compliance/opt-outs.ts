import { sql } from 'drizzle-orm';
import { COMPLIANCE_CHANNELS, type Interaction } from '../../db/schema';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { stopAskedBy } from '../interactions/types';
import { auditMany } from './audit';
import { suppressionHint, suppressionKey } from './keys';
import type { SuppressionChannel } from './suppression-values';
import { insertSuppressions, type NewSuppression } from './suppressions';

/**
 * An opt-out or a complaint logged as an interaction (an unsubscribe from the e-mail tool, a line of a
 * dialer's export) is honoured as the contact's own words are: the person, and the number or address it
 * came by, are suppressed on its channel, and their consents there withdrawn. A complaint stops every
 * channel, and so does an opt-out that came another way (a web form): it cannot be told which it meant.
 */
export async function honourOptOuts(ctx: Ctx, events: Interaction[]): Promise<void> {
  const stops = events.filter(
    (e): e is Interaction & { prospectId: string } =>
      (e.type === 'opt_out' || e.type === 'complaint') && e.prospectId !== null,
  );
  if (stops.length === 0) return;
  const pointIds = [...new Set(stops.flatMap((e) => (e.contactPointId ? [e.contactPointId] : [])))];
  const points =
    pointIds.length === 0
      ? []
      : await queryRows<{ id: string; value: string; channel: 'email' | 'phone' }>(
          ctx.db,
          sql`SELECT id, value, channel FROM contact_points
              WHERE org_id = ${ctx.orgId} AND id = ANY(${sql.param(pointIds)}::uuid[])`,
        );
  const pointsById = new Map(points.map((p) => [p.id, p]));
  const entries: NewSuppression[] = [];
  const channelsOf = (event: Interaction) =>
    stoppedChannels(event, event.contactPointId ? pointsById.get(event.contactPointId)?.channel : undefined);
  for (const event of stops) {
    const reason = event.type === 'complaint' ? 'complained' : 'opted out';
    const source = `interaction ${event.id}`;
    const point = event.contactPointId ? pointsById.get(event.contactPointId) : undefined;
    for (const channel of channelsOf(event)) {
      entries.push({
        scope: 'person',
        hash: suppressionKey('person', event.prospectId),
        hint: event.prospectId,
        channel,
        reason,
        source,
      });
      if (point)
        entries.push({
          scope: 'contact_point',
          hash: suppressionKey('contact_point', point.value, point.channel),
          hint: suppressionHint('contact_point', point.value),
          channel,
          reason,
          source,
        });
    }
  }
  await insertSuppressions(ctx, entries);
  await withdrawConsents(ctx, stops, channelsOf);
}

/**
 * The channels an opt-out stops: its own; else those of the number or address it came by (a number both
 * calls and texts: a STOP answered to an SMS is logged without a channel); else all.
 */
function stoppedChannels(
  event: Pick<Interaction, 'type' | 'channel'>,
  pointChannel: string | undefined,
): SuppressionChannel[] {
  if (event.type === 'complaint') return ['all'];
  if ((COMPLIANCE_CHANNELS as readonly string[]).includes(event.channel))
    return [event.channel as SuppressionChannel];
  if (pointChannel === 'phone') return ['phone', 'sms'];
  if (pointChannel === 'email') return ['email'];
  return ['all'];
}

/**
 * The consents of the people who stopped, on the channel they stopped, given before they stopped (an old
 * unsubscribe imported today does not undo a consent given since), withdrawn as of the stop: one
 * statement per channel.
 */
async function withdrawConsents(
  ctx: Ctx,
  stops: (Interaction & { prospectId: string })[],
  channelsOf: (event: Interaction) => SuppressionChannel[],
): Promise<void> {
  const byChannel = new Map<SuppressionChannel, Map<string, Date>>();
  for (const event of stops)
    for (const channel of channelsOf(event)) {
      const people = byChannel.get(channel) ?? new Map<string, Date>();
      const latest = people.get(event.prospectId);
      if (!latest || event.occurredAt > latest) people.set(event.prospectId, event.occurredAt);
      byChannel.set(channel, people);
    }
  const proof = { how: 'an opt-out or complaint logged as an interaction', recordedBy: ctx.actor.keyId };
  for (const [channel, people] of byChannel) {
    const ids = [...people.keys()];
    const withdrawn = await queryRows<{ id: string; prospect_id: string }>(
      ctx.db,
      sql`UPDATE consents AS c SET withdrawn_at = s.at, withdrawal_proof = ${JSON.stringify(proof)}::jsonb
          FROM unnest(${sql.param(ids)}::uuid[], ${sql.param(ids.map((id) => people.get(id)!.toISOString()))}::text[]::timestamptz[])
            AS s(prospect_id, at)
          WHERE c.org_id = ${ctx.orgId} AND c.prospect_id = s.prospect_id AND c.withdrawn_at IS NULL
            AND c.given_at <= s.at ${channel === 'all' ? sql`` : sql`AND c.channel IN (${channel}, 'all')`}
          RETURNING c.id, c.prospect_id`,
    );
    await auditMany(
      ctx,
      withdrawn.map((row) => ({
        action: 'consent.withdrawn' as const,
        subject: { type: 'consent', id: row.id },
        details: { prospectId: row.prospect_id, channel, why: 'opted out' },
      })),
    );
  }
}

/**
 * What a stop (an opt-out, a complaint, a do-not-call disposition) asks of a number or address that nobody
 * holds, such as a line of a dialer's export about a number the base does not have yet: the channels of
 * that number or address it stops, none when the event is no stop or stops another channel (an e-mail
 * opt-out known only by a phone number).
 */
export function channelsStoppedFor(
  event: Pick<Interaction, 'type' | 'channel'> & { outcome?: string | null },
  pointChannel: 'phone' | 'email',
): SuppressionChannel[] {
  const asked =
    event.type === 'opt_out' || event.type === 'complaint'
      ? stoppedChannels(event, pointChannel)
      : [stopAskedBy(event)].filter((c) => c !== undefined);
  return asked.filter((c) => c === 'all' || (pointChannel === 'email') === (c === 'email'));
}

export interface UnheldStop {
  /** The number (E.164) or address, as contact points store it. */
  value: string;
  pointChannel: 'phone' | 'email';
  channels: SuppressionChannel[];
  reason: 'opted out' | 'complained';
  source: string;
}

/**
 * Keeps stops about numbers and addresses that no prospect holds as suppressions of them, so that a record
 * imported later with that number is not called: the stop is the number's owner's words, whoever they
 * turn out to be.
 */
export async function suppressUnheld(ctx: Ctx, stops: UnheldStop[]): Promise<void> {
  await insertSuppressions(
    ctx,
    stops.flatMap((stop) =>
      stop.channels.map((channel) => ({
        scope: 'contact_point' as const,
        hash: suppressionKey('contact_point', stop.value, stop.pointChannel),
        hint: suppressionHint('contact_point', stop.value),
        channel,
        reason: stop.reason,
        source: stop.source,
      })),
    ),
  );
}
