import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { queryRows } from '../db';
import { anyHash, personKeys, suppressionKey } from './keys';

/** Which channels the do-not-contact list closes to each of a page of people, for a list to show. */

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
