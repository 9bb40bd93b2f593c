import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { call, newOrg, orgApp, type TestApp, type TestOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('compliance through the API on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => ({ database, app, org } = await orgApp(open)));
  afterAll(() => database.close());

  const prospect = async (input: Record<string, unknown>, key = org.manager) => {
    const created = await call(app, 'POST', '/v1/prospects', { key, json: input });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; contactPoints: { id: string; value: string; channel: string }[] };
  };
  const decision = (json: Record<string, unknown>, key = org.caller) =>
    call(app, 'POST', '/v1/contact-decisions', { key, json });
  const registry = (name: string, asOf: string, body: string, key = org.manager) =>
    call(app, 'POST', `/v1/registries/${name}/snapshots?asOf=${asOf}`, {
      key,
      body,
      headers: { 'content-type': 'text/csv' },
    });

  describe('decisions', () => {
    it('refuses a French consumer at 13:30 on a Tuesday until 14:00, with the rule and its source', async () => {
      const person = await prospect({
        kind: 'b2c',
        country: 'FR',
        postalCode: '75011',
        contactPoints: [{ value: '06 11 22 33 44' }],
      });
      expect((await registry('bloctel', '2026-03-01', 'Telephone;Identifiant\n0699999999;1\n')).status).toBe(
        201,
      );
      const refused = await decision({
        prospectId: person.id,
        channel: 'phone',
        at: '2026-03-10T13:30:00+01:00',
      });
      expect(refused.status).toBe(200);
      expect(refused.body).toMatchObject({
        allowed: false,
        nextAllowedAt: '2026-03-10T13:00:00.000Z',
        jurisdiction: 'FR',
        zones: ['Europe/Paris'],
      });
      expect(refused.body.reasons).toEqual([
        expect.objectContaining({
          code: 'OUTSIDE_WINDOW',
          confidence: 'C',
          message: expect.objectContaining({ fr: expect.any(String), en: expect.any(String) }),
        }),
      ]);
      const allowed = await decision({
        prospectId: person.id,
        channel: 'phone',
        at: '2026-03-10T14:00:00+01:00',
      });
      expect(allowed.body.allowed).toBe(true);
      expect(allowed.body.checked).toContainEqual(
        expect.objectContaining({ check: 'registry', registry: 'bloctel', listed: false }),
      );
      expect(allowed.body.contactPointId).toBe(person.contactPoints[0]!.id);
    });

    it('refuses French consumers without consent from 11 August 2026, and allows them with a contract in progress', async () => {
      const person = await prospect({
        kind: 'b2c',
        country: 'FR',
        contactPoints: [{ value: '06 11 22 33 55' }],
      });
      const at = '2026-12-01T10:00:00Z';
      const before = await decision({ prospectId: person.id, channel: 'phone', at });
      expect(before.body.reasons.map((r: { code: string }) => r.code)).toEqual(['NO_CONSENT']);
      expect(before.body.nextAllowedAt).toBeNull();
      const consent = await call(app, 'POST', '/v1/consents', {
        key: org.caller,
        json: {
          prospectId: person.id,
          channel: 'phone',
          purpose: 'suivi du contrat',
          basis: 'contract_in_progress',
          source: 'contrat 2026-118',
          proof: { contract: '2026-118' },
          givenAt: '2026-09-01T00:00:00Z',
        },
      });
      expect(consent.status).toBe(201);
      const after = await decision({ prospectId: person.id, channel: 'phone', at });
      expect(after.body).toMatchObject({ allowed: true, rules: 'FR consent-2026-08-11' });
      expect(after.body.checked).toContainEqual(
        expect.objectContaining({
          check: 'legal basis',
          basis: 'contract_in_progress',
          consentId: consent.body.id,
        }),
      );
      const withdrawn = await call(app, 'POST', `/v1/consents/${consent.body.id}/withdraw`, {
        key: org.caller,
        json: { at: '2026-11-01T00:00:00Z', proof: { email: 'msg-42' } },
      });
      expect(withdrawn.status).toBe(200);
      expect((await decision({ prospectId: person.id, channel: 'phone', at })).body.reasons[0].code).toBe(
        'CONSENT_WITHDRAWN',
      );
      expect(
        (await call(app, 'POST', `/v1/consents/${consent.body.id}/withdraw`, { key: org.caller, json: {} }))
          .status,
      ).toBe(409);
    });

    it('answers for a bare number in the callee’s zone: Los Angeles at 08:30 allowed, at 21:00 refused', async () => {
      expect((await registry('us-dnc', '2026-11-20', '2135550100\n')).status).toBe(201);
      const morning = await decision({
        value: '+1 213 555 0123',
        channel: 'phone',
        at: '2026-12-01T08:30:00-08:00',
      });
      expect(morning.body).toMatchObject({ allowed: true, zones: ['America/Los_Angeles'], prospectId: null });
      const evening = await decision({
        value: '+1 213 555 0123',
        channel: 'phone',
        at: '2026-12-01T21:00:00-08:00',
      });
      expect(evening.body.reasons.map((r: { code: string }) => r.code)).toEqual(['OUTSIDE_WINDOW']);
      expect(evening.body.nextAllowedAt).toBe('2026-12-02T16:00:00.000Z');
      const listed = await decision({
        value: '(213) 555-0100',
        country: 'US',
        channel: 'phone',
        at: '2026-12-01T10:00:00-08:00',
      });
      expect(listed.body.reasons.map((r: { code: string }) => r.code)).toEqual(['REGISTRY_LISTED']);
    });

    it('does not check a French business against Bloctel but applies the policy’s caps', async () => {
      const company = await call(app, 'POST', '/v1/companies', {
        key: org.manager,
        json: { name: 'Toitures Martin', country: 'FR' },
      });
      const person = await prospect({
        kind: 'b2b',
        country: 'FR',
        companyId: company.body.id,
        contactPoints: [{ value: '01 44 55 66 77' }],
      });
      await call(app, 'POST', '/v1/registries/bloctel/snapshots?asOf=2026-11-25', {
        key: org.manager,
        body: '0144556677\n',
        headers: { 'content-type': 'text/plain' },
      });
      const free = await decision({ prospectId: person.id, channel: 'phone', at: '2026-12-01T10:00:00Z' });
      expect(free.body.allowed).toBe(true);
      expect(free.body.checked.some((c: { check: string }) => c.check === 'registry')).toBe(false);
    });

    it('rejects an `at` that is not a date and a value that is not a number, naming the field', async () => {
      const badAt = await decision({ value: '0612345678', channel: 'phone', at: 'next tuesday' });
      expect(badAt.status).toBe(400);
      expect(badAt.headers.get('content-type')).toContain('application/problem+json');
      expect(badAt.body.errors).toEqual([expect.objectContaining({ field: 'body:at' })]);
      const badValue = await decision({ value: '12ab', channel: 'phone' });
      expect(badValue.status).toBe(400);
      expect(badValue.body.errors).toEqual([expect.objectContaining({ field: 'value' })]);
      const badEmail = await decision({ value: 'not-an-address', channel: 'email' });
      expect(badEmail.body.errors).toEqual([expect.objectContaining({ field: 'value' })]);
      const nobody = await decision({ channel: 'phone' });
      expect(nobody.status).toBe(400);
      const unknown = await decision({
        prospectId: '019acb4e-7f6a-7c1e-9a35-1d4b5e2f8a10',
        channel: 'phone',
      });
      expect(unknown.status).toBe(404);
      for (const far of ['0001-01-05T00:00:00Z', '+275760-09-13T00:00:00Z']) {
        const answer = await decision({ value: '0612345678', channel: 'phone', at: far });
        expect(answer.status, far).toBe(400);
        expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'body:at' })]);
      }
      const ban = await call(app, 'PUT', '/v1/policy', {
        key: org.manager,
        json: { caps: [{ channel: 'sms', scope: 'person', max: 0, windowHours: 24 }] },
      });
      expect(ban.status).toBe(400);
      expect(ban.body.errors[0].field).toContain('caps');
    });
  });

  describe('registries', () => {
    it('refuses an unknown registry and a missing or future date', async () => {
      const unknown = await registry('robinson', '2026-11-01', '0612345678\n');
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toContain('bloctel');
      expect(
        (
          await call(app, 'POST', '/v1/registries/tps/snapshots', {
            key: org.manager,
            body: '07700900123\n',
            headers: { 'content-type': 'text/csv' },
          })
        ).body.errors,
      ).toEqual([expect.objectContaining({ field: 'query:asOf' })]);
      expect((await registry('tps', '2099-01-01', '07700900123\n')).status).toBe(400);
      const impossible = await registry('tps', '2026-02-30', '07700900123\n');
      expect(impossible.status).toBe(400);
      expect(impossible.body.errors).toEqual([expect.objectContaining({ field: 'query:asOf' })]);
      expect((await registry('tps', '2026-11-01', '07700900123\n', org.caller)).status).toBe(403);
    });

    it('imports a file with garbage lines, reports each by line, imports the rest, and says its age on the status page', async () => {
      const file = [
        'Telephone;Identifiant',
        '07911 123456;1',
        'n/a;2',
        '+44 7911 123457;3',
        '',
        '12;4',
        '447911123458;5',
      ].join('\r\n');
      const imported = await registry('tps', '2026-11-20', file);
      expect(imported.status).toBe(201);
      expect(imported.body).toMatchObject({
        registry: 'tps',
        asOf: '2026-11-20',
        status: 'ready',
        numbers: 3,
        rejectedLines: 2,
      });
      expect(imported.body.rejections).toEqual([
        { line: 3, message: expect.stringContaining('n/a') },
        { line: 6, message: expect.stringContaining('12') },
      ]);
      const status = await call(app, 'GET', '/v1/registries', { key: org.caller });
      const tps = status.body.registries.find((r: { registry: string }) => r.registry === 'tps');
      expect(tps).toMatchObject({
        maxAgeDays: 28,
        country: 'GB',
        current: { id: imported.body.id, numbers: 3 },
      });
      expect(typeof tps.current.ageDays).toBe('number');
      const fetched = await call(app, 'GET', `/v1/registries/tps/snapshots/${imported.body.id}`, {
        key: org.caller,
      });
      expect(fetched.body.rejections).toHaveLength(2);
      const ukConsumer = await prospect({
        kind: 'b2c',
        country: 'GB',
        contactPoints: [{ value: '+44 7911 123457' }],
      });
      const listed = await decision({
        prospectId: ukConsumer.id,
        channel: 'phone',
        at: '2026-12-01T11:00:00Z',
      });
      expect(listed.body.reasons.map((r: { code: string }) => r.code)).toEqual(['REGISTRY_LISTED']);
      const stale = await decision({
        prospectId: ukConsumer.id,
        channel: 'phone',
        at: '2026-12-30T11:00:00Z',
      });
      expect(stale.body.reasons.map((r: { code: string }) => r.code)).toEqual(['REGISTRY_STALE']);
    });

    it('refuses a file with no number at all and keeps the previous copy in force', async () => {
      const refused = await registry('tps', '2026-11-21', 'hello\nworld\n');
      expect(refused.status).toBe(422);
      const status = await call(app, 'GET', '/v1/registries', { key: org.caller });
      const tps = status.body.registries.find((r: { registry: string }) => r.registry === 'tps');
      expect(tps.current.asOf).toBe('2026-11-20');
      expect(tps.snapshots[0]).toMatchObject({ status: 'failed' });
    });

    it('replaces the copy in force with a newer one', async () => {
      const newer = await registry('ctps', '2026-11-25', '02079460000\n');
      const newest = await registry('ctps', '2026-11-26', '02079460001\n');
      const status = await call(app, 'GET', '/v1/registries', { key: org.caller });
      const ctps = status.body.registries.find((r: { registry: string }) => r.registry === 'ctps');
      expect(ctps.current.id).toBe(newest.body.id);
      expect(ctps.snapshots.find((s: { id: string }) => s.id === newer.body.id).status).toBe('superseded');
    });
  });

  describe('reservations and outcomes', () => {
    let company: string;
    beforeAll(async () => {
      company = (
        await call(app, 'POST', '/v1/companies', {
          key: org.manager,
          json: { name: 'Cap Test SA', country: 'FR' },
        })
      ).body.id;
      const put = await call(app, 'PUT', '/v1/policy', {
        key: org.manager,
        json: {
          caps: [
            { channel: 'phone', scope: 'contact_point', max: 2, windowHours: 24 * 7 },
            { channel: 'phone', scope: 'company', max: 5, windowHours: 24 * 7 },
          ],
          pressureBudget: null,
          windows: {},
          quietDays: { weekdays: [], dates: [] },
          consentMaxAgeDays: 365,
          refusalCooldownDays: { phone: 30 },
          retentionDays: 1095,
        },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body.version).toBe(1);
    });

    it('reserves until the cap, then answers 409 with the reasons and the next allowed instant', async () => {
      const person = await prospect({
        kind: 'b2b',
        country: 'FR',
        companyId: company,
        contactPoints: [{ value: '01 40 00 00 01' }],
      });
      const reserve = () =>
        call(app, 'POST', '/v1/contact-attempts', {
          key: org.caller,
          json: { prospectId: person.id, channel: 'phone', campaign: 'toitures' },
        });
      const first = await reserve();
      expect(first.status).toBe(201);
      expect(first.headers.get('location')).toBe(`/v1/contact-attempts/${first.body.attempt.id}`);
      expect(first.body.attempt).toMatchObject({
        prospectId: person.id,
        contactPointId: person.contactPoints[0]!.id,
        channel: 'phone',
        outcome: null,
      });
      expect((await reserve()).status).toBe(201);
      const third = await reserve();
      expect(third.status).toBe(409);
      expect(third.headers.get('content-type')).toContain('application/problem+json');
      expect(third.body.reasons).toEqual([
        expect.objectContaining({ code: 'CAP_REACHED', confidence: 'policy' }),
      ]);
      expect(Date.parse(third.body.nextAllowedAt)).toBeGreaterThan(
        Date.parse(first.body.attempt.at) + 7 * 86_400_000 - 1000,
      );
      const listed = await call(app, 'GET', `/v1/contact-attempts?prospectId=${person.id}`, {
        key: org.caller,
      });
      expect(listed.body.data).toHaveLength(2);
    });

    it('a cancelled reservation no longer counts; an outcome is recorded once', async () => {
      const person = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 40 00 00 02' }],
      });
      const reserve = () =>
        call(app, 'POST', '/v1/contact-attempts', {
          key: org.caller,
          json: { prospectId: person.id, channel: 'phone' },
        });
      const a = await reserve();
      await reserve();
      expect((await reserve()).status).toBe(409);
      const cancelled = await call(app, 'POST', `/v1/contact-attempts/${a.body.attempt.id}/outcome`, {
        key: org.caller,
        json: { outcome: 'cancelled' },
      });
      expect(cancelled.body.outcome).toBe('cancelled');
      expect((await reserve()).status).toBe(201);
      expect(
        (
          await call(app, 'POST', `/v1/contact-attempts/${a.body.attempt.id}/outcome`, {
            key: org.caller,
            json: { outcome: 'answered' },
          })
        ).status,
      ).toBe(409);
      expect(
        (
          await call(app, 'POST', `/v1/contact-attempts/${a.body.attempt.id}/outcome`, {
            key: org.caller,
            json: { outcome: 'maybe' },
          })
        ).status,
      ).toBe(400);
      // A reservation an hour old may have been dialled: it stays an attempt.
      const other = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 40 00 00 12' }],
      });
      const old = await call(app, 'POST', '/v1/contact-attempts', {
        key: org.caller,
        json: { prospectId: other.id, channel: 'phone' },
      });
      expect(old.status).toBe(201);
      await database.db.execute(
        sql`UPDATE contact_attempts SET at = now() - interval '1 hour' WHERE org_id = ${org.orgId} AND id = ${old.body.attempt.id}`,
      );
      const late = await call(app, 'POST', `/v1/contact-attempts/${old.body.attempt.id}/outcome`, {
        key: org.caller,
        json: { outcome: 'cancelled' },
      });
      expect(late.status).toBe(409);
      expect(late.body.detail).toContain('15 minutes');
    });

    it('wrong number marks the contact point invalid; a refusal starts the cooldown; both are logged as interactions', async () => {
      const person = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 40 00 00 03' }, { value: '06 40 00 00 03' }],
      });
      const first = await call(app, 'POST', '/v1/contact-attempts', {
        key: org.caller,
        json: { prospectId: person.id, channel: 'phone' },
      });
      const wrong = await call(app, 'POST', `/v1/contact-attempts/${first.body.attempt.id}/outcome`, {
        key: org.caller,
        json: { outcome: 'wrong_number', note: 'une boulangerie' },
      });
      expect(wrong.status).toBe(200);
      const point = await call(app, 'GET', `/v1/contact-points/${person.contactPoints[0]!.id}`, {
        key: org.caller,
      });
      expect(point.body.status).toBe('invalid');
      const next = await decision({ prospectId: person.id, channel: 'phone' });
      expect(next.body.contactPointId).toBe(person.contactPoints[1]!.id);
      expect(next.body.alternatives).toContainEqual(
        expect.objectContaining({
          contactPointId: person.contactPoints[0]!.id,
          reasons: ['INVALID_CONTACT_POINT'],
        }),
      );
      const second = await call(app, 'POST', '/v1/contact-attempts', {
        key: org.caller,
        json: { prospectId: person.id, channel: 'phone' },
      });
      expect(second.body.attempt.contactPointId).toBe(person.contactPoints[1]!.id);
      await call(app, 'POST', `/v1/contact-attempts/${second.body.attempt.id}/outcome`, {
        key: org.caller,
        json: { outcome: 'refused' },
      });
      const cooling = await decision({ prospectId: person.id, channel: 'phone' });
      expect(cooling.body.reasons.map((r: { code: string }) => r.code)).toEqual(['REFUSAL_COOLDOWN']);
      expect(Date.parse(cooling.body.nextAllowedAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
      const events = await call(app, 'GET', `/v1/interactions?prospectId=${person.id}`, { key: org.caller });
      expect(events.body.data.map((e: { outcome: string }) => e.outcome).sort()).toEqual([
        'refused',
        'wrong_number',
      ]);
    });

    it('do-not-contact suppresses at once, for every channel when asked; consent is recorded with its proof', async () => {
      const person = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 40 00 00 04' }, { value: 'paul@exemple.fr' }],
      });
      const call1 = await call(app, 'POST', '/v1/contact-attempts', {
        key: org.caller,
        json: { prospectId: person.id, channel: 'phone' },
      });
      const given = await call(app, 'POST', `/v1/contact-attempts/${call1.body.attempt.id}/outcome`, {
        key: org.caller,
        json: {
          outcome: 'consent_given',
          consent: { purpose: 'newsletter toiture', proof: { recording: 'rec-1' } },
        },
      });
      expect(given.status).toBe(200);
      const consents = await call(app, 'GET', `/v1/consents?prospectId=${person.id}`, { key: org.caller });
      expect(consents.body.data[0]).toMatchObject({
        basis: 'consent',
        purpose: 'newsletter toiture',
        proof: expect.objectContaining({ recording: 'rec-1', attemptId: call1.body.attempt.id }),
      });
      const call2 = await call(app, 'POST', '/v1/contact-attempts', {
        key: org.caller,
        json: { prospectId: person.id, channel: 'phone' },
      });
      await call(app, 'POST', `/v1/contact-attempts/${call2.body.attempt.id}/outcome`, {
        key: org.caller,
        json: { outcome: 'do_not_contact', scope: 'all' },
      });
      for (const channel of ['phone', 'email']) {
        const refused = await decision({ prospectId: person.id, channel });
        expect(refused.body.reasons.map((r: { code: string }) => r.code)).toEqual(['SUPPRESSED']);
      }
      const again = await call(app, 'POST', '/v1/contact-attempts', {
        key: org.caller,
        json: { prospectId: person.id, channel: 'email' },
      });
      expect(again.status).toBe(409);
      const active = await call(app, 'GET', `/v1/consents?prospectId=${person.id}&active=true`, {
        key: org.caller,
      });
      expect(active.body.data).toEqual([]);
    });
  });

  describe('suppressions', () => {
    it('adds by number, domain or person, finds them, and lets only an admin remove one, with a reason', async () => {
      const added = await call(app, 'POST', '/v1/suppressions', {
        key: org.caller,
        json: { scope: 'contact_point', value: '06 55 44 33 22', reason: 'asked by letter' },
      });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ scope: 'contact_point', channel: 'all', hint: '+336••••••22' });
      expect(added.body.valueHash).toBeUndefined();
      const twice = await call(app, 'POST', '/v1/suppressions', {
        key: org.caller,
        json: { scope: 'contact_point', value: '+33655443322', reason: 'again' },
      });
      expect(twice.status).toBe(200);
      expect(twice.body.id).toBe(added.body.id);
      const check = await call(
        app,
        'GET',
        `/v1/suppressions/check?value=${encodeURIComponent('0655443322')}`,
        { key: org.caller },
      );
      expect(check.body).toMatchObject({
        suppressed: true,
        entries: [expect.objectContaining({ id: added.body.id })],
      });
      await call(app, 'POST', '/v1/suppressions', {
        key: org.caller,
        json: { scope: 'email_domain', value: 'concurrent.example', channel: 'email', reason: 'competitor' },
      });
      const atDomain = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: 'jane@concurrent.example' }],
      });
      expect((await decision({ prospectId: atDomain.id, channel: 'email' })).body.reasons[0].code).toBe(
        'SUPPRESSED',
      );
      const bad = await call(app, 'POST', '/v1/suppressions', {
        key: org.caller,
        json: { scope: 'contact_point', value: 'call me maybe', reason: 'x' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'value' })]);
      expect(
        (
          await call(app, 'DELETE', `/v1/suppressions/${added.body.id}`, {
            key: org.manager,
            json: { reason: 'mistake' },
          })
        ).status,
      ).toBe(403);
      expect(
        (await call(app, 'DELETE', `/v1/suppressions/${added.body.id}`, { key: org.admin, json: {} })).status,
      ).toBe(400);
      const removed = await call(app, 'DELETE', `/v1/suppressions/${added.body.id}`, {
        key: org.admin,
        json: { reason: 'entered by mistake' },
      });
      expect(removed.body).toMatchObject({
        removalReason: 'entered by mistake',
        removedAt: expect.any(String),
      });
      expect(
        (await call(app, 'GET', `/v1/suppressions/check?value=0655443322`, { key: org.caller })).body
          .suppressed,
      ).toBe(false);
    });

    it('applies an objection to every channel through any of the person’s numbers and addresses', async () => {
      const person = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: 'paul@objection.example' }, { value: '01 49 12 34 56' }],
      });
      const phoneOnly = await call(app, 'POST', '/v1/suppressions', {
        key: org.caller,
        json: {
          scope: 'contact_point',
          value: 'paul@objection.example',
          channel: 'email',
          reason: 'unsubscribed',
        },
      });
      expect(phoneOnly.status).toBe(201);
      expect((await decision({ prospectId: person.id, channel: 'phone' })).body.allowed).toBe(true);
      await call(app, 'POST', '/v1/suppressions', {
        key: org.caller,
        json: {
          scope: 'contact_point',
          value: 'paul@objection.example',
          channel: 'all',
          reason: 'asked by letter',
        },
      });
      const refused = await decision({ prospectId: person.id, channel: 'phone' });
      expect(refused.body.reasons.map((r: { code: string }) => r.code)).toEqual(['SUPPRESSED']);
    });

    it('honours an opt-out or a complaint logged as an interaction, through the API or an import', async () => {
      const person = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: 'lea@desabonnee.example' }, { value: '01 49 55 66 77' }],
      });
      const email = person.contactPoints.find((cp) => cp.channel === 'email')!;
      expect((await decision({ prospectId: person.id, channel: 'email' })).body.allowed).toBe(true);
      const logged = await call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: { prospectId: person.id, contactPointId: email.id, type: 'opt_out', channel: 'email' },
      });
      expect(logged.status).toBe(201);
      const refused = await decision({ prospectId: person.id, channel: 'email' });
      expect(refused.body.reasons.map((r: { code: string }) => r.code)).toEqual(['SUPPRESSED']);
      // An unsubscribe from e-mails leaves calls alone; the entry says where it came from.
      expect((await decision({ prospectId: person.id, channel: 'phone' })).body.allowed).toBe(true);
      const check = await call(
        app,
        'GET',
        `/v1/suppressions/check?value=${encodeURIComponent(email.value)}`,
        {
          key: org.caller,
        },
      );
      expect(check.body.entries[0]).toMatchObject({
        channel: 'email',
        reason: 'opted out',
        source: `interaction ${logged.body.created[0].id}`,
      });
      // Without a channel, an opt-out stops the channel of the address it came by.
      // Someone with an address and a number, who opts out by the one of `channel`, naming no channel.
      const optedOutBy = async (channel: 'email' | 'phone', email: string, phone: string) => {
        const person = await prospect({
          kind: 'b2b',
          country: 'FR',
          contactPoints: [{ value: email }, { value: phone }],
        });
        const by = person.contactPoints.find((cp) => cp.channel === channel)!;
        await call(app, 'POST', '/v1/interactions', {
          key: org.caller,
          json: { prospectId: person.id, contactPointId: by.id, type: 'opt_out' },
        });
        return person;
      };
      const other2 = await optedOutBy('email', 'ines@sanscanal.example', '01 49 55 66 79');
      expect((await decision({ prospectId: other2.id, channel: 'email' })).body.allowed).toBe(false);
      expect((await decision({ prospectId: other2.id, channel: 'phone' })).body.allowed).toBe(true);
      // A STOP by text, logged without a channel on the mobile: no more texts nor calls to it.
      const mobile = await optedOutBy('phone', 'stop@sms.example', '06 49 55 66 80');
      const text = await decision({ prospectId: mobile.id, channel: 'sms' });
      expect(text.body.reasons.map((r: { code: string }) => r.code)).toContain('SUPPRESSED');
      expect((await decision({ prospectId: mobile.id, channel: 'phone' })).body.allowed).toBe(false);
      expect((await decision({ prospectId: mobile.id, channel: 'email' })).body.allowed).toBe(true);
      // An opt-out withdraws the consents given before it, not one given since.
      const consented = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: 'max@abonne.example' }],
      });
      const consent = (givenAt: string) =>
        call(app, 'POST', '/v1/consents', {
          key: org.caller,
          json: {
            prospectId: consented.id,
            channel: 'email',
            purpose: 'newsletter',
            basis: 'consent',
            source: 'formulaire',
            proof: { form: 'f-1' },
            givenAt,
          },
        });
      const old = await consent('2025-01-10T10:00:00Z');
      const recent = await consent('2026-10-10T10:00:00Z');
      await call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: {
          prospectId: consented.id,
          type: 'opt_out',
          channel: 'email',
          occurredAt: '2026-03-01T10:00:00Z',
        },
      });
      const withdrawn = await queryRows<{ id: string; withdrawn_at: string | null }>(
        database.db,
        sql`SELECT id, withdrawn_at::text FROM consents WHERE prospect_id = ${consented.id}`,
      );
      const state = Object.fromEntries(withdrawn.map((c) => [c.id, c.withdrawn_at !== null]));
      expect([state[old.body.id], state[recent.body.id]]).toEqual([true, false]);
      // A complaint in a dialer's export stops every channel.
      const other = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 49 55 66 78' }],
      });
      const imported = await call(app, 'POST', '/v1/imports?target=interactions', {
        key: org.manager,
        body: 'Téléphone;Type;Date\n01 49 55 66 78;complaint;2026-11-02 10:00\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.body.result.counts).toMatchObject({ created: 1 });
      const stopped = await decision({ prospectId: other.id, channel: 'phone' });
      expect(stopped.body.reasons.map((r: { code: string }) => r.code)).toEqual(['SUPPRESSED']);
    });

    it('imports a CSV list, reports bad lines by line and imports the rest', async () => {
      const csv = 'téléphone;motif\n06 10 20 30 40;courrier\npas un numéro;x\nmarie@exemple.fr;formulaire\n';
      const imported = await call(app, 'POST', '/v1/suppressions/import?channel=phone', {
        key: org.manager,
        body: csv,
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.status).toBe(200);
      expect(imported.body).toMatchObject({
        created: 2,
        existing: 0,
        rejected: [expect.objectContaining({ line: 3, field: 'value' })],
      });
      const list = await call(app, 'GET', '/v1/suppressions?reason=courrier', { key: org.caller });
      expect(list.body.data).toEqual([expect.objectContaining({ channel: 'phone', hint: '+336••••••40' })]);
      const email = await call(app, 'GET', '/v1/suppressions?reason=formulaire', { key: org.caller });
      expect(email.body.data).toEqual([
        expect.objectContaining({ channel: 'email', hint: 'm•••@exemple.fr' }),
      ]);
    });
  });

  describe('erasure, access, retention and audit', () => {
    it('erases a person, keeps them suppressed by hash, and an import cannot bring them back', async () => {
      const person = await prospect({
        kind: 'b2c',
        country: 'FR',
        externalId: 'crm-777',
        firstName: 'Zoé',
        contactPoints: [{ value: '06 77 77 77 77' }, { value: 'zoe@exemple.fr' }],
      });
      const noted = await call(app, 'POST', '/v1/interactions', {
        key: org.caller,
        json: { prospectId: person.id, type: 'note', note: 'a dit rappeler en janvier' },
        headers: { 'idempotency-key': 'erasure-note-1' },
      });
      expect(noted.status).toBe(201);
      const exported = await call(app, 'GET', `/v1/prospects/${person.id}/export`, { key: org.manager });
      expect(exported.status).toBe(200);
      expect(exported.body.prospect.firstName).toBe('Zoé');
      expect(exported.body.interactions[0].note).toContain('janvier');
      expect(exported.body.contactPoints).toHaveLength(2);
      expect(
        (await call(app, 'DELETE', `/v1/prospects/${person.id}?erase=true`, { key: org.manager })).status,
      ).toBe(403);
      const erased = await call(app, 'DELETE', `/v1/prospects/${person.id}?erase=true`, { key: org.admin });
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({
        contactPointsDeleted: 2,
        interactionsDeleted: 1,
        suppressionsKept: 3,
      });
      expect((await call(app, 'GET', `/v1/prospects/${person.id}`, { key: org.admin })).status).toBe(404);
      const leftovers = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT (SELECT count(*) FROM contact_points WHERE org_id = ${org.orgId} AND value IN ('+33677777777', 'zoe@exemple.fr'))::int
             + (SELECT count(*) FROM interactions WHERE org_id = ${org.orgId} AND prospect_id = ${person.id})::int AS n`,
      );
      expect(leftovers[0]!.n).toBe(0);
      const replayable = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE org_id = ${org.orgId} AND response_body::text LIKE ${`%${person.id}%`}`,
      );
      expect(replayable[0]!.n).toBe(0);
      const back = await prospect({
        kind: 'b2c',
        country: 'FR',
        externalId: 'crm-777',
        contactPoints: [{ value: '+33 6 77 77 77 77' }],
      });
      const refused = await decision({ prospectId: back.id, channel: 'phone' });
      expect(refused.body.reasons.map((r: { code: string }) => r.code)).toEqual(['ERASED']);
      const byValue = await decision({ value: 'zoe@exemple.fr', channel: 'email' });
      expect(byValue.body.reasons[0].code).toBe('ERASED');
      // Back without the CRM id, with the same address and a new number: the number is theirs too.
      const newNumber = await prospect({
        kind: 'b2c',
        country: 'FR',
        contactPoints: [{ value: 'zoe@exemple.fr' }, { value: '06 77 77 77 70' }],
      });
      const byNewNumber = await decision({ prospectId: newNumber.id, channel: 'phone' });
      expect(byNewNumber.body.reasons.map((r: { code: string }) => r.code)).toContain('ERASED');
      const kept = await call(app, 'GET', '/v1/suppressions?reason=erasure', { key: org.admin });
      expect(kept.body.data.every((s: { hint: string | null }) => s.hint === null)).toBe(true);
      const removal = await call(app, 'DELETE', `/v1/suppressions/${kept.body.data[0].id}`, {
        key: org.admin,
        json: { reason: 'try' },
      });
      expect(removal.status).toBe(409);
      const entries = await call(app, 'GET', `/v1/audit?action=prospect.erased&subjectId=${person.id}`, {
        key: org.admin,
      });
      expect(entries.body.data).toHaveLength(1);
      expect(JSON.stringify(entries.body.data)).not.toMatch(/Zoé|zoe@|77 77|777777/);
    });

    it('lists and purges people past the retention period, without suppressing them', async () => {
      const old = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 49 99 99 99' }],
      });
      const recent = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 49 99 99 98' }],
      });
      // Called and mailed lately, never answering: the clock runs from their own last contact.
      const chased = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 49 99 99 97' }],
      });
      const replied = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 49 99 99 96' }],
      });
      const customer = await prospect({
        kind: 'b2b',
        country: 'FR',
        contactPoints: [{ value: '01 49 99 99 95' }],
      });
      for (const [who, type] of [
        [chased.id, 'call_attempted'],
        [chased.id, 'email_sent'],
        [replied.id, 'email_replied'],
      ] as const) {
        expect(
          (await call(app, 'POST', '/v1/interactions', { key: org.caller, json: { prospectId: who, type } }))
            .status,
        ).toBe(201);
      }
      const contract = await call(app, 'POST', '/v1/consents', {
        key: org.caller,
        json: {
          prospectId: customer.id,
          channel: 'phone',
          purpose: 'contrat',
          basis: 'contract_in_progress',
          source: 'contrat 2022-7',
          proof: { contract: '2022-7' },
          givenAt: '2022-06-01T00:00:00Z',
        },
      });
      expect(contract.status).toBe(201);
      const aged = [old.id, chased.id, replied.id, customer.id];
      await database.db.execute(
        sql`UPDATE prospects SET created_at = now() - interval '4 years' WHERE org_id = ${org.orgId} AND id = ANY(${sql.param(aged)}::uuid[])`,
      );
      const listed = await call(app, 'GET', '/v1/retention', { key: org.manager });
      expect(listed.body.prospectIds).toContain(old.id);
      expect(listed.body.prospectIds).toContain(chased.id);
      expect(listed.body.prospectIds).not.toContain(replied.id);
      expect(listed.body.prospectIds).not.toContain(customer.id);
      expect(listed.body.prospectIds).not.toContain(recent.id);
      expect((await call(app, 'POST', '/v1/retention/purge', { key: org.manager, json: {} })).status).toBe(
        403,
      );
      const dry = await call(app, 'POST', '/v1/retention/purge', { key: org.admin, json: { dryRun: true } });
      expect(dry.body).toMatchObject({ purged: 0, dryRun: true });
      const purged = await call(app, 'POST', '/v1/retention/purge', { key: org.admin, json: {} });
      expect(purged.body.prospectIds).toContain(old.id);
      expect((await call(app, 'GET', `/v1/prospects/${old.id}`, { key: org.admin })).status).toBe(404);
      const free = await decision({ value: '01 49 99 99 99', channel: 'phone', kind: 'b2b' });
      expect(free.body.reasons.map((r: { code: string }) => r.code)).not.toContain('ERASED');
    });

    it('keeps an append-only audit log that the database itself protects', async () => {
      const log = await call(app, 'GET', '/v1/audit?limit=500', { key: org.manager });
      const actions = new Set(log.body.data.map((e: { action: string }) => e.action));
      for (const action of [
        'policy.updated',
        'attempt.reserved',
        'attempt.outcome',
        'suppression.added',
        'suppression.removed',
        'consent.recorded',
        'consent.withdrawn',
        'registry.imported',
        'prospect.erased',
      ]) {
        expect(actions, action).toContain(action);
      }
      expect(log.body.data[0]).toMatchObject({ actorRole: expect.any(String), at: expect.any(String) });
      expect((await call(app, 'GET', '/v1/audit', { key: org.caller })).status).toBe(403);
      // Drizzle wraps the database's error; the trigger's message is its cause.
      const refusal = (query: Promise<unknown>) =>
        query.then(
          () => 'done',
          (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
        );
      expect(
        await refusal(
          database.db.execute(sql`UPDATE audit_log SET action = 'x' WHERE org_id = ${org.orgId}`),
        ),
      ).toMatch(/append-only/);
      expect(
        await refusal(database.db.execute(sql`DELETE FROM audit_log WHERE org_id = ${org.orgId}`)),
      ).toMatch(/append-only/);
      expect(await refusal(database.db.execute(sql`TRUNCATE audit_log`))).toMatch(/append-only/);
    });
  });

  describe('batch dry run', () => {
    it('counts by reason now and this week, lists the contactable, for ids or a filter', async () => {
      const other = await newOrg(database);
      const make = (json: Record<string, unknown>) =>
        call(app, 'POST', '/v1/prospects', { key: other.manager, json }).then((r) => r.body.id as string);
      const ids = [
        await make({ kind: 'b2b', country: 'FR', contactPoints: [{ value: '01 23 45 67 01' }] }),
        await make({ kind: 'b2b', country: 'FR', contactPoints: [{ value: '01 23 45 67 02' }] }),
        await make({ kind: 'b2c', country: 'FR', contactPoints: [{ value: '06 23 45 67 03' }] }),
        await make({ kind: 'b2b', country: 'FR' }),
      ];
      await call(app, 'POST', '/v1/suppressions', {
        key: other.caller,
        json: { scope: 'person', prospectId: ids[1], reason: 'asked' },
      });
      const answer = await call(app, 'POST', '/v1/contact-decisions/batch', {
        key: other.manager,
        json: {
          channel: 'phone',
          prospectIds: [...ids, '019acb4e-7f6a-7c1e-9a35-1d4b5e2f8a10'],
          at: '2026-12-05T10:00:00Z',
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        total: 4,
        unknown: ['019acb4e-7f6a-7c1e-9a35-1d4b5e2f8a10'],
        now: {
          contactable: 1,
          refused: 3,
          byReason: { SUPPRESSED: 1, NO_CONSENT: 1, INVALID_CONTACT_POINT: 1 },
        },
        week: { contactable: 1, refused: 3 },
      });
      expect(answer.body.contactableNow).toEqual([
        { prospectId: ids[0], contactPointId: expect.any(String) },
      ]);
      expect(answer.body.summary).toMatch(/^4 targets: .* → 1 contactable now, 1 this week$/);
      const filtered = await call(app, 'POST', '/v1/contact-decisions/batch', {
        key: other.manager,
        json: { channel: 'phone', filter: { kind: 'b2b' }, includeIds: false },
      });
      expect(filtered.body.total).toBe(3);
      expect(filtered.body.contactableNow).toEqual([]);
      const tooMany = await call(app, 'POST', '/v1/contact-decisions/batch', {
        key: other.manager,
        json: { channel: 'phone', prospectIds: Array(100_001).fill(ids[0]) },
      });
      expect(tooMany.status).toBe(400);
    });
  });
});
