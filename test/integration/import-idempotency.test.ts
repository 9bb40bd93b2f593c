import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db';
import { call, newOrg, type TestApp, type TestOrg, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';
import { bytes, multipart } from '../helpers/files';
import { waitFor } from '../helpers/wait';

/** Two files of 50 bytes each, the same header, one person each. */
const ALICE = 'Nom,Email\nAlice Dupont-Moreau,alice.dm@exemple.fr\n';
const BRUNO = 'Nom,Email\nBruno Lefebvre-Garnier,bruno@exemple.fr\n';

const ANOTHER = 'this Idempotency-Key was used for another request';

/** A body sent in pieces as it is read, without Content-Length (Transfer-Encoding: chunked over HTTP). */
function pieces(...parts: string[]) {
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      push = controller;
    },
  });
  for (const part of parts) push.enqueue(bytes(part));
  return {
    stream,
    send: (part: string) => push.enqueue(bytes(part)),
    end: () => push.close(),
  };
}

describe.each(databases)('Idempotency-Key of imports on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await open();
    app = testApp(database);
  });
  afterAll(() => database.close());

  const names = async (o: TestOrg) =>
    (await call(app, 'GET', '/v1/prospects?limit=50', { key: o.caller })).body.data
      .map((p: { lastName: string | null; firstName: string | null }) =>
        `${p.firstName ?? ''} ${p.lastName ?? ''}`.trim(),
      )
      .sort();
  const imports = async (o: TestOrg) =>
    (await call(app, 'GET', '/v1/jobs?kind=import', { key: o.caller })).body.data.length;
  const raw = (o: TestOrg, file: string, key: string, query = '') =>
    call(app, 'POST', `/v1/imports${query}`, {
      key: o.manager,
      body: bytes(file),
      headers: { 'content-type': 'text/csv', 'idempotency-key': key },
    });
  const streamed = async (o: TestOrg, body: ReadableStream<Uint8Array>, key: string) => {
    const response = await app.request('/v1/imports', {
      method: 'POST',
      headers: { authorization: `Bearer ${o.manager}`, 'content-type': 'text/csv', 'idempotency-key': key },
      body,
      duplex: 'half',
    } as RequestInit);
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the API answered
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  it('refuses the key for another file of the same size, and imports nothing of it', async () => {
    const o = await newOrg(database);
    expect([ALICE.length, BRUNO.length]).toEqual([50, 50]);
    const first = await raw(o, ALICE, 'k-size');
    expect(first.status).toBe(200);
    const other = await raw(o, BRUNO, 'k-size');
    expect(other.status).toBe(422);
    expect(other.body.detail).toContain(ANOTHER);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    const again = await raw(o, ALICE, 'k-size');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await names(o)).toEqual(['Alice Dupont-Moreau']);
    expect(await imports(o)).toBe(1);
  });

  it('refuses the key for a queued file another file follows, and replays the job for the same one', async () => {
    const o = await newOrg(database);
    const first = await raw(o, ALICE, 'k-async', '?async=true');
    expect(first.status).toBe(202);
    expect((await raw(o, BRUNO, 'k-async', '?async=true')).status).toBe(422);
    const again = await raw(o, ALICE, 'k-async', '?async=true');
    expect([again.status, again.headers.get('idempotent-replayed'), again.body.id]).toEqual([
      202,
      'true',
      first.body.id,
    ]);
    expect(await imports(o)).toBe(1);
  });

  it('refuses the key for the same file sent with another form field', async () => {
    const o = await newOrg(database);
    const form = (country: string) => ({
      key: o.manager,
      body: multipart(ALICE, { defaultCountry: country }),
      headers: { 'idempotency-key': 'k-form' },
    });
    const fr = await call(app, 'POST', '/v1/imports', form('FR'));
    expect(fr.status).toBe(200);
    const gb = await call(app, 'POST', '/v1/imports', form('GB'));
    expect(gb.status).toBe(422);
    expect(gb.body.detail).toContain(ANOTHER);
    const again = await call(app, 'POST', '/v1/imports', form('FR'));
    expect([again.status, again.headers.get('idempotent-replayed'), again.body.id]).toEqual([
      200,
      'true',
      fr.body.id,
    ]);
    // The same file under another name is another upload too.
    const renamed = await call(app, 'POST', '/v1/imports', {
      ...form('FR'),
      body: multipart(ALICE, { defaultCountry: 'FR' }, 'autre.csv'),
    });
    expect(renamed.status).toBe(422);
    expect(await imports(o)).toBe(1);
  });

  it('tells chunked uploads without Content-Length apart by their bytes', async () => {
    const o = await newOrg(database);
    const alice = pieces(ALICE.slice(0, 20), ALICE.slice(20));
    alice.end();
    const first = await streamed(o, alice.stream, 'k-chunked');
    expect(first.status).toBe(200);
    const bruno = pieces(BRUNO.slice(0, 20), BRUNO.slice(20));
    bruno.end();
    expect((await streamed(o, bruno.stream, 'k-chunked')).status).toBe(422);
    // The same bytes in other pieces are the same upload.
    const resent = pieces(ALICE.slice(0, 7), ALICE.slice(7, 33), ALICE.slice(33));
    resent.end();
    const again = await streamed(o, resent.stream, 'k-chunked');
    expect([again.status, again.headers.get('idempotent-replayed'), again.body.id]).toEqual([
      200,
      'true',
      first.body.id,
    ]);
    expect(await names(o)).toEqual(['Alice Dupont-Moreau']);
  });

  it('answers 409 to a repeat while the first upload still arrives, then the first answer, or 422 for another file', async () => {
    const o = await newOrg(database);
    const slow = pieces(ALICE.slice(0, 20));
    const first = streamed(o, slow.stream, 'k-slow');
    await waitFor(async () => {
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE org_id = ${o.orgId} AND key = 'k-slow'`,
      );
      return row!.n > 0 ? true : undefined;
    });
    const during = pieces(ALICE);
    during.end();
    expect((await streamed(o, during.stream, 'k-slow')).status).toBe(409);
    slow.send(ALICE.slice(20));
    slow.end();
    const done = await first;
    expect(done.status).toBe(200);
    expect(done.headers.get('idempotent-replayed')).toBeNull();
    const after = pieces(ALICE);
    after.end();
    const again = await streamed(o, after.stream, 'k-slow');
    expect([again.status, again.body.id]).toEqual([200, done.body.id]);
    const other = pieces(BRUNO);
    other.end();
    expect((await streamed(o, other.stream, 'k-slow')).status).toBe(422);
    expect(await names(o)).toEqual(['Alice Dupont-Moreau']);
  });

  it('keeps the answer to a file it refused, for that file only', async () => {
    const o = await newOrg(database);
    const unmapped = 'Colonne,Autre\n1,2\n';
    const refused = await raw(o, unmapped, 'k-refused');
    expect(refused.status).toBe(422);
    const again = await raw(o, unmapped, 'k-refused');
    expect(again.status).toBe(422);
    expect(again.body.replayed).toBe(true);
    const other = await raw(o, ALICE, 'k-refused');
    expect(other.status).toBe(422);
    expect(other.body.detail).toContain(ANOTHER);
    expect(await names(o)).toEqual([]);
  });
});
