import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, queryRows } from '../../src/db';
import { call, newOrg, orgApp, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases, server } from '../helpers/databases';

const CAP = 2;
const ROUNDS = 25;
const WEEK = 24 * 7;
const COMPANY_CAP = [{ channel: 'phone', scope: 'company', max: CAP, windowHours: WEEK }];
const NUMBER_CAP = [{ channel: 'phone', scope: 'contact_point', max: CAP, windowHours: WEEK }];

let numbers = 0;
/** A French business number of its own (no calling hours in law): outcomes do not depend on the hour. */
const nextNumber = () => {
  const d = String(10_000_000 + numbers++).slice(-8);
  return `01 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6, 8)}`;
};

const codes = (body: { reasons?: { code: string }[] }) => (body.reasons ?? []).map((r) => r.code);

/** What the API does for a test: people, companies, caps, reservations, and counts read from the tables. */
function client(db: () => Database, app: () => TestApp) {
  const self = {
    async org(caps: unknown[]): Promise<TestOrg> {
      const org = await newOrg(db());
      const policy = await call(app(), 'PUT', '/v1/policy', { key: org.manager, json: { caps } });
      expect(policy.status).toBe(200);
      return org;
    },
    async company(org: TestOrg): Promise<string> {
      const created = await call(app(), 'POST', '/v1/companies', {
        key: org.manager,
        json: { name: `Société ${Math.random().toString(36).slice(2, 8)}` },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id;
    },
    async person(org: TestOrg, input: { companyId?: string; numbers?: string[] } = {}) {
      const created = await call(app(), 'POST', '/v1/prospects', {
        key: org.manager,
        json: {
          kind: 'b2b',
          country: 'FR',
          lastName: `Course-${Math.random().toString(36).slice(2, 8)}`,
          ...(input.companyId ? { companyId: input.companyId } : {}),
          contactPoints: (input.numbers ?? [nextNumber()]).map((value) => ({ value })),
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body as { id: string; contactPoints: { id: string }[] };
    },
    reserve: (org: TestOrg, prospectId: string, on = app()) =>
      call(on, 'POST', '/v1/contact-attempts', { key: org.caller, json: { prospectId, channel: 'phone' } }),
    moveTo: (org: TestOrg, prospectId: string, companyId: string, on = app()) =>
      call(on, 'PATCH', `/v1/prospects/${prospectId}`, { key: org.manager, json: { companyId } }),
    attach: (org: TestOrg, prospectId: string, value: string, on = app()) =>
      call(on, 'POST', `/v1/prospects/${prospectId}/contact-points`, { key: org.manager, json: { value } }),
    erase: (org: TestOrg, prospectId: string, on = app()) =>
      call(on, 'DELETE', `/v1/prospects/${prospectId}?erase=true`, { key: org.admin }),
    /** Attempts counted against a company, a number, or kept under a person's id. */
    async attempts(orgId: string, column: 'company_id' | 'contact_point_id' | 'prospect_id', id: string) {
      const [row] = await queryRows<{ n: number }>(
        db().db,
        sql`SELECT count(*)::int AS n FROM contact_attempts
            WHERE org_id = ${orgId} AND ${sql.identifier(column)} = ${id}::uuid AND outcome IS DISTINCT FROM 'cancelled'`,
      );
      return row!.n;
    },
  };
  return self;
}

describe.each(databases)(
  'a reservation follows the person as they stand once locked, on $name',
  ({ open }) => {
    let database: Database;
    let app: TestApp;
    beforeAll(async () => ({ database, app } = await orgApp(open)));
    afterAll(() => database.close());
    const api = client(
      () => database,
      () => app,
    );

    it('counts a person who moved into a company against that company’s cap, and records the attempt there', async () => {
      const org = await api.org(COMPANY_CAP);
      const [y, z] = [await api.company(org), await api.company(org)];
      const mover = await api.person(org, { companyId: z });
      for (let i = 0; i < CAP; i++) {
        const colleague = await api.person(org, { companyId: y });
        expect((await api.reserve(org, colleague.id)).status).toBe(201);
      }
      expect((await api.reserve(org, mover.id)).body.attempt.companyId).toBe(z);
      expect((await api.moveTo(org, mover.id, y)).status).toBe(200);
      const refused = await api.reserve(org, mover.id);
      expect(refused.status).toBe(409);
      expect(codes(refused.body)).toEqual(['CAP_REACHED']);
      expect(await api.attempts(org.orgId, 'company_id', y)).toBe(CAP);
    });

    it('counts the earlier calls to a number given to a person', async () => {
      const org = await api.org(NUMBER_CAP);
      const shared = nextNumber();
      const holder = await api.person(org, { numbers: [shared] });
      for (let i = 0; i < CAP; i++) expect((await api.reserve(org, holder.id)).status).toBe(201);
      const newcomer = await api.person(org, { numbers: [] });
      expect((await api.attach(org, newcomer.id, shared)).status).toBe(201);
      const refused = await api.reserve(org, newcomer.id);
      expect(refused.status).toBe(409);
      expect(codes(refused.body)).toEqual(['CAP_REACHED']);
      expect(await api.attempts(org.orgId, 'contact_point_id', holder.contactPoints[0]!.id)).toBe(CAP);
    });

    it('anonymizes the attempts of an erased person and refuses to reserve for them after', async () => {
      const org = await api.org(COMPANY_CAP);
      const person = await api.person(org);
      expect((await api.reserve(org, person.id)).status).toBe(201);
      expect((await api.erase(org, person.id)).body.attemptsAnonymized).toBe(1);
      expect((await api.reserve(org, person.id)).status).toBe(404);
      expect(await api.attempts(org.orgId, 'prospect_id', person.id)).toBe(0);
    });
  },
);

// Several connections at once exist only on a server: on PGlite the functional checks above stand alone.
// Registered on the server only (PGlite has one connection): never a skipped test.
if (server)
  describe('reservations racing a move, a new number or an erasure on the PostgreSQL server', () => {
    let one: Database;
    let two: Database;
    let appOne: TestApp;
    let appTwo: TestApp;
    const api = client(
      () => one,
      () => appOne,
    );

    beforeAll(async () => {
      // Two pools stand for two API processes.
      const url = await server!.fresh();
      one = await openDatabase({ url, poolSize: 8 });
      two = await openDatabase({ url, poolSize: 8 });
      appOne = testApp(one);
      appTwo = testApp(two);
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
    });

    type Send = (app: TestApp) => ReturnType<typeof call>;
    const times = (n: number, send: Send): Send[] => Array.from({ length: n }, () => send);

    /**
     * Sends every request at once, alternating between the two processes: three of `first`, then `change`,
     * then the others mixed with the rest of `first`, so that the change lands while reservations are in flight.
     */
    const race = (first: Send[], others: Send[], change: Send) => {
      const requests = [
        ...first.slice(0, 3),
        change,
        ...others.flatMap((other, i) => [other, ...first.slice(3 + i, 4 + i)]),
        ...first.slice(3 + others.length),
      ];
      return Promise.all(requests.map((send, i) => send(i % 2 === 0 ? appOne : appTwo)));
    };

    it(`holds a company cap of ${CAP} while a person moves into the company, ${ROUNDS} rounds`, async () => {
      const org = await api.org(COMPANY_CAP);
      for (let round = 0; round < ROUNDS; round++) {
        const [y, z] = [await api.company(org), await api.company(org)];
        const mover = await api.person(org, { companyId: z });
        const staff = [];
        for (let i = 0; i <= CAP; i++) staff.push(await api.person(org, { companyId: y }));
        const answers = await race(
          times(6, (app) => api.reserve(org, mover.id, app)),
          staff.map((person) => (app: TestApp) => api.reserve(org, person.id, app)),
          (app) => api.moveTo(org, mover.id, y, app),
        );
        for (const answer of answers)
          expect([200, 201, 409], JSON.stringify(answer.body)).toContain(answer.status);
        // One more of Y's own people than the cap ask: Y always reaches it, and never passes it.
        expect(await api.attempts(org.orgId, 'company_id', y), `round ${round}: at Y`).toBe(CAP);
        expect(await api.attempts(org.orgId, 'company_id', z), `round ${round}: at Z`).toBeLessThanOrEqual(
          CAP,
        );
      }
    });

    it(`holds a per-number cap of ${CAP} while the number is given to another person, ${ROUNDS} rounds`, async () => {
      const org = await api.org(NUMBER_CAP);
      for (let round = 0; round < ROUNDS; round++) {
        const shared = nextNumber();
        const holder = await api.person(org, { numbers: [shared] });
        const newcomer = await api.person(org, { numbers: [] });
        const answers = await race(
          times(6, (app) => api.reserve(org, newcomer.id, app)),
          times(CAP + 1, (app) => api.reserve(org, holder.id, app)),
          (app) => api.attach(org, newcomer.id, shared, app),
        );
        for (const answer of answers)
          expect([201, 409], JSON.stringify(answer.body)).toContain(answer.status);
        const point = holder.contactPoints[0]!.id;
        expect(await api.attempts(org.orgId, 'contact_point_id', point), `round ${round}`).toBe(CAP);
      }
    });

    it(`leaves no attempt under the id of a person erased while calls are reserved, ${ROUNDS} rounds`, async () => {
      const org = await api.org([]);
      for (let round = 0; round < ROUNDS; round++) {
        const person = await api.person(org);
        const answers = await race(
          times(6, (app) => api.reserve(org, person.id, app)),
          times(2, (app) => api.reserve(org, person.id, app)),
          (app) => api.erase(org, person.id, app),
        );
        const statuses = answers.map((a) => a.status);
        for (const status of statuses) expect([200, 201, 404]).toContain(status);
        // Each reservation came wholly before the erasure, which anonymized it, or after, and found no one.
        const erasure = answers.find((a) => a.status === 200)!.body;
        expect(erasure.attemptsAnonymized, `round ${round}`).toBe(statuses.filter((s) => s === 201).length);
        expect(await api.attempts(org.orgId, 'prospect_id', person.id), `round ${round}`).toBe(0);
        const point = person.contactPoints[0]!.id;
        expect(await api.attempts(org.orgId, 'contact_point_id', point), `round ${round}`).toBe(0);
      }
    });
  });
