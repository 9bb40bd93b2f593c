import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db';
import { call, orgApp, type TestApp, type TestOrg } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('a suppression import’s multipart fields on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let org: TestOrg;
  beforeAll(async () => ({ database, app, org } = await orgApp(open)));
  afterAll(() => database.close());

  /** As `curl -F file=@list.csv -F name=value …` sends it. */
  const upload = (lines: string, fields: Record<string, string>, query = '') => {
    const form = new FormData();
    form.append('file', new Blob([lines], { type: 'text/csv' }), 'list.csv');
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    return call(app, 'POST', `/v1/suppressions/import${query}`, { key: org.manager, body: form });
  };
  const suppressed = async (reason: string) =>
    (await call(app, 'GET', `/v1/suppressions?reason=${encodeURIComponent(reason)}`, { key: org.caller }))
      .body.data;

  it('reads channel, reason and source from the form', async () => {
    const answer = await upload('06 10 20 30 41\n', {
      channel: 'phone',
      reason: 'asked by phone',
      source: 'dialer',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.created).toBe(1);
    expect(await suppressed('asked by phone')).toEqual([
      expect.objectContaining({ channel: 'phone', source: 'dialer', hint: '+336••••••41' }),
    ]);
  });

  it('refuses a misspelt field rather than suppressing every channel', async () => {
    const answer = await upload('06 10 20 30 42\n', { chanel: 'phone', reason: 'typo' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { field: 'form:chanel', message: expect.stringContaining('did you mean channel?') },
    ]);
    expect(await suppressed('typo')).toEqual([]);
  });

  it('takes a field given both ways alike, and refuses it given differently', async () => {
    expect(
      (await upload('06 10 20 30 43\n', { channel: 'sms', reason: 'both' }, '?channel=sms')).status,
    ).toBe(200);
    expect(await suppressed('both')).toEqual([expect.objectContaining({ channel: 'sms' })]);
    const conflict = await upload('06 10 20 30 44\n', { channel: 'sms', reason: 'clash' }, '?channel=phone');
    expect(conflict.status).toBe(400);
    expect(conflict.body.errors).toEqual([
      { field: 'form:channel', message: expect.stringContaining('phone') },
    ]);
    const bad = await upload('06 10 20 30 45\n', { channel: 'fax', reason: 'fax' });
    expect(bad.body.errors).toEqual([{ field: 'form:channel', message: expect.stringContaining('"fax"') }]);
    expect(await suppressed('clash')).toEqual([]);
  });
});
