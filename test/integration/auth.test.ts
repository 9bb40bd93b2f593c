import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
import { call, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('keys, roles and organizations on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    database = await open();
    app = testApp(database);
    org = await newOrg(database);
    other = await newOrg(database);
  });
  afterAll(() => database.close());

  it('serves health, readiness, the OpenAPI document and the docs page without a key', async () => {
    expect((await call(app, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(app, 'GET', '/readyz')).status).toBe(200);
    const doc = await call(app, 'GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    // Every operation has an id of its own, for client generators.
    const ids = Object.values(
      doc.body.paths as Record<string, Record<string, { operationId?: string }>>,
    ).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('getCampaignsIdScoresProspectId');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/prospects',
        '/v1/prospects/{id}',
        '/v1/imports',
        '/v1/jobs/{id}',
        '/v1/api-keys',
        '/v1/prospects/export',
        '/v1/lists/{id}/approve',
        '/v1/campaigns/{id}/scores/{prospectId}/history',
        '/v1/drafts',
        '/v1/drafts/batch',
        '/v1/drafts/{id}/approve',
        '/v1/lint',
      ]),
    );
    const docs = await call(app, 'GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger-ui-bundle.js');
    expect((await call(app, 'GET', '/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('answers 401 problem+json without a key, with a malformed header, or with an unknown key', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Basic abc' },
      { authorization: 'Bearer tdk_nope' },
    ];
    for (const headers of attempts) {
      const response = await call(app, 'GET', '/v1/prospects', { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(response.body).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        requestId: expect.any(String),
      });
    }
  });

  it("carries a request id on every response, the caller's when it sends one", async () => {
    const response = await call(app, 'GET', '/v1/organization', {
      key: org.caller,
      headers: { 'x-request-id': 'trace-42' },
    });
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    const unknown = await call(app, 'GET', '/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.body.requestId).toBe(unknown.headers.get('x-request-id'));
    // A path that exists under other methods: 405, and which ones it takes.
    const wrongMethod = await call(app, 'PUT', '/v1/prospects/01a22709-4079-7007-93dc-3ad69c4667f9', {
      key: org.caller,
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(wrongMethod.body.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('lets an admin create, list and revoke keys; a revoked key stops working at once', async () => {
    const created = await call(app, 'POST', '/v1/api-keys', {
      key: org.admin,
      json: { name: 'Léa (appels)', role: 'caller' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^tdk_[\w-]{32}$/);
    expect(created.body.apiKey).toMatchObject({
      name: 'Léa (appels)',
      role: 'caller',
      prefix: created.body.key.slice(0, 12),
    });
    expect(created.body.apiKey).not.toHaveProperty('keyHash');

    const list = await call(app, 'GET', '/v1/api-keys', { key: org.admin });
    expect(list.body.data.map((k: { prefix: string }) => k.prefix)).toContain(created.body.apiKey.prefix);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);

    expect((await call(app, 'GET', '/v1/organization', { key: created.body.key })).status).toBe(200);
    const revoked = await call(app, 'DELETE', `/v1/api-keys/${created.body.apiKey.id}`, { key: org.admin });
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await call(app, 'GET', '/v1/organization', { key: created.body.key })).status).toBe(401);
  });

  it("keeps the organization's last admin key: another admin key first", async () => {
    const fresh = await newOrg(database);
    const keys = await call(app, 'GET', '/v1/api-keys', { key: fresh.admin });
    const admin = keys.body.data.find((k: { role: string }) => k.role === 'admin');
    const refused = await call(app, 'DELETE', `/v1/api-keys/${admin.id}`, { key: fresh.admin });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('last admin key');
    expect((await call(app, 'GET', '/v1/organization', { key: fresh.admin })).status).toBe(200);
    const second = await call(app, 'POST', '/v1/api-keys', {
      key: fresh.admin,
      json: { name: 'Relève', role: 'admin' },
    });
    expect((await call(app, 'DELETE', `/v1/api-keys/${admin.id}`, { key: second.body.key })).status).toBe(
      200,
    );
    expect(
      (await call(app, 'DELETE', `/v1/api-keys/${second.body.apiKey.id}`, { key: second.body.key })).status,
    ).toBe(409);
  });

  it('refuses key management to other roles with 403', async () => {
    for (const key of [org.manager, org.marketer, org.caller]) {
      const response = await call(app, 'POST', '/v1/api-keys', { key, json: { name: 'x', role: 'admin' } });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
    }
  });

  it('refuses writes on prospects to callers and marketers', async () => {
    for (const key of [org.caller, org.marketer]) {
      expect((await call(app, 'POST', '/v1/companies', { key, json: { name: 'ACME' } })).status).toBe(403);
    }
    expect(
      (await call(app, 'POST', '/v1/companies', { key: org.manager, json: { name: 'ACME' } })).status,
    ).toBe(201);
  });

  it("answers 404 for another organization's ids, never their data", async () => {
    const company = await call(app, 'POST', '/v1/companies', {
      key: other.admin,
      json: { name: 'Secret SA' },
    });
    const prospect = await call(app, 'POST', '/v1/prospects', {
      key: other.admin,
      json: { lastName: 'Secret', contactPoints: [{ value: 'secret@secret.fr' }] },
    });
    const key = await call(app, 'POST', '/v1/api-keys', {
      key: other.admin,
      json: { name: 'x', role: 'caller' },
    });
    for (const [method, path] of [
      ['GET', `/v1/companies/${company.body.id}`],
      ['PATCH', `/v1/companies/${company.body.id}`],
      ['DELETE', `/v1/companies/${company.body.id}`],
      ['GET', `/v1/prospects/${prospect.body.id}`],
      ['PATCH', `/v1/prospects/${prospect.body.id}`],
      ['DELETE', `/v1/prospects/${prospect.body.id}`],
      ['GET', `/v1/contact-points/${prospect.body.contactPoints[0].id}`],
      ['DELETE', `/v1/api-keys/${key.body.apiKey.id}`],
    ] as const) {
      const response = await call(app, method, path, {
        key: org.admin,
        ...(method === 'PATCH' ? { json: {} } : {}),
      });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const list = await call(app, 'GET', '/v1/prospects?limit=500', { key: org.admin });
    expect(JSON.stringify(list.body)).not.toContain('secret@secret.fr');
    const lookup = await call(app, 'GET', '/v1/contact-points?value=secret@secret.fr', { key: org.admin });
    expect(lookup.body.data).toEqual([]);
    expect((await call(app, 'GET', `/v1/prospects/${prospect.body.id}`, { key: other.caller })).status).toBe(
      200,
    );
  });

  it("lets an admin set the organization's default country", async () => {
    const response = await call(app, 'PATCH', '/v1/organization', {
      key: org.admin,
      json: { defaultCountry: 'Allemagne' },
    });
    expect(response.body.defaultCountry).toBe('DE');
    expect(
      (await call(app, 'PATCH', '/v1/organization', { key: org.admin, json: { defaultCountry: 'Mordor' } }))
        .body.errors,
    ).toEqual([{ field: 'defaultCountry', message: '"Mordor" is not a country' }]);
    await call(app, 'PATCH', '/v1/organization', { key: org.admin, json: { defaultCountry: 'FR' } });
  });
});
