import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { seededRandom } from '../../src/lib/random';
import { call, orgApp, type TestApp, type TestOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

/**
 * Batches of events naming the same people, and replaying the same events, in other orders at once: each
 * batch locks rows (the rescoring queue's, the log's unique keys) in one order, so that none waits for
 * another that waits for it. Against the PostgreSQL server, a third of such requests answered 500
 * ("deadlock detected") when each locked them in the order sent.
 */
describe.each(databases)('events sent at once in any order on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  let people: string[];
  beforeAll(async () => {
    ({ database, app, org } = await orgApp(open));
    people = [];
    for (let i = 0; i < 10; i++)
      people.push(
        (await call(app, 'POST', '/v1/prospects', { key: org.manager, json: { lastName: `Ordre ${i}` } }))
          .body.id,
      );
    // A campaign: without one, nobody is queued for rescoring.
    const campaign = await call(app, 'POST', '/v1/campaigns', { key: org.marketer, json: { name: 'Ordre' } });
    expect(campaign.status).toBe(201);
  });
  afterAll(() => database.close());

  it('writes every batch, each event once, whatever the order of its items', async () => {
    const random = seededRandom(7);
    const shuffled = <T>(list: T[]) =>
      list
        .map((value) => ({ value, at: random.next() }))
        .sort((a, b) => a.at - b.at)
        .map((x) => x.value);
    const at = '2026-11-30T09:00:00Z';
    const statuses: number[] = [];
    for (let round = 0; round < 6; round++) {
      const batches = Array.from({ length: 8 }, (_, b) =>
        shuffled(people).flatMap((prospectId, i) => [
          // New each time: only the queue's rows are shared.
          { prospectId, type: 'email_opened', externalId: `open-${round}-${b}-${i}`, occurredAt: at },
          // The same event in every batch of the round: the log's unique key is shared.
          { prospectId, type: 'web_visit', externalId: `visit-${round}`, occurredAt: at },
        ]),
      );
      const answers = await Promise.all(
        batches.map((items) => call(app, 'POST', '/v1/interactions', { key: org.caller, json: { items } })),
      );
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const [counted] = await queryRows<{ opens: number; visits: number }>(
      database.db,
      sql`SELECT count(*) FILTER (WHERE type = 'email_opened')::int AS opens,
                 count(*) FILTER (WHERE type = 'web_visit')::int AS visits
          FROM interactions WHERE org_id = ${org.orgId}`,
    );
    expect(counted).toEqual({ opens: 6 * 8 * 10, visits: 6 * 10 });
  });

  it('records an event sent at once with and without its time once, whichever comes first', async () => {
    const prospectId = people[0]!;
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      const event = { prospectId, type: 'call_answered', externalId: `dialer-${round}` };
      const timed = { ...event, occurredAt: '2026-11-30T10:00:00Z' };
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          call(app, 'POST', '/v1/interactions', { key: org.caller, json: i % 2 === 0 ? timed : event }),
        ),
      );
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const stored = await queryRows<{ external_id: string; n: number }>(
      database.db,
      sql`SELECT external_id, count(*)::int AS n FROM interactions
          WHERE org_id = ${org.orgId} AND type = 'call_answered' GROUP BY external_id HAVING count(*) > 1`,
    );
    expect(stored).toEqual([]);
  });
});
