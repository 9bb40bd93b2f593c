import { sql } from 'drizzle-orm';
import { recordConsent } from '../compliance/consents';
import { DEFAULT_POLICY } from '../compliance/policy';
import { savePolicy } from '../compliance/policy-store';
import { importRegistrySnapshot } from '../compliance/registries';
import { normalizeSuppression } from '../compliance/suppression-values';
import { insertSuppressions, type NewSuppression } from '../compliance/suppressions';
import type { Ctx } from '../context';
import { queryRows } from '../db';

/**
 * What a real team would have set up before calling: a policy of its own, fresh copies of the UK's
 * registries (TPS and CTPS) listing some of the demo's British numbers, people who asked not to be
 * called, and newsletter consents. Decisions on the demo then show every kind of answer.
 */
export async function loadDemoCompliance(ctx: Ctx, now: Date) {
  await savePolicy(ctx, {
    ...DEFAULT_POLICY,
    caps: [{ channel: 'phone', scope: 'company', max: 2, windowHours: 24 * 7 }],
    pressureBudget: { max: 3, windowDays: 14 },
  });
  const people = await queryRows<{ id: string; country: string; channel: 'phone' | 'email'; value: string }>(
    ctx.db,
    sql`SELECT p.id, p.country, c.channel, c.value
        FROM prospects p
        JOIN contact_points c ON c.org_id = p.org_id
          AND c.id = ANY(ARRAY(SELECT (l->>'id')::uuid FROM jsonb_array_elements(p.contact_points) l))
        WHERE p.org_id = ${ctx.orgId}
        ORDER BY p.external_id, c.channel`,
  );
  const phones = people.filter((p) => p.channel === 'phone');
  const emails = people.filter((p) => p.channel === 'email');

  // British business calls screen both lists: sole traders are on TPS, companies on CTPS. Every fifth
  // British number is on one of the copies, among numbers of other subscribers.
  const british = phones.filter((p) => p.country === 'GB').map((p) => p.value);
  const copy = async (registry: 'tps' | 'ctps', listed: string[], range: string) => {
    const others = Array.from({ length: 1000 }, (_, i) => `${range}${String(i).padStart(4, '0')}`);
    const file = `Telephone\n${[...listed, ...others].join('\n')}\n`;
    const snapshot = await importRegistrySnapshot(
      ctx,
      { registry, asOf: now.toISOString().slice(0, 10), fileName: `${registry}-demo.csv` },
      async (upload) => {
        await upload.write(new TextEncoder().encode(file));
        return {};
      },
    );
    return snapshot.numbers;
  };
  const registryNumbers =
    (await copy(
      'tps',
      british.filter((_, i) => i % 10 === 0),
      '+4420794600',
    )) +
    (await copy(
      'ctps',
      british.filter((_, i) => i % 10 === 5),
      '+4420794610',
    ));

  const suppressed: NewSuppression[] = [];
  for (const person of phones.filter((_, i) => i % 40 === 7)) {
    const normalized = normalizeSuppression({ scope: 'contact_point', value: person.value }, 'FR');
    if ('message' in normalized) continue;
    suppressed.push({
      ...normalized,
      channel: 'all',
      reason: 'asked not to be contacted again',
      source: 'demo',
    });
  }
  await insertSuppressions(ctx, suppressed);

  const subscribers = emails.filter((_, i) => i % 10 === 3);
  for (const [i, person] of subscribers.entries()) {
    await recordConsent(ctx, {
      prospectId: person.id,
      channel: 'email',
      purpose: 'newsletter',
      basis: 'consent',
      source: 'web form',
      proof: { form: 'https://demo.tiede.example/newsletter', ip: `192.0.2.${(i % 250) + 1}` },
      givenAt: new Date(now.getTime() - (30 + i) * 86_400_000),
    });
  }
  return { registryNumbers, suppressed: suppressed.length, consents: subscribers.length };
}
