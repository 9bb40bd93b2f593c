import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli';
import { type Database, openDatabase } from '../../src/db';
import { call, type TestApp, testApp } from '../helpers/app';
import { databases } from '../helpers/databases';

describe.each(databases)('operator CLI on $name', ({ open }) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await open();
    app = testApp(database);
  });
  afterAll(() => database.close());

  async function run(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, database, (line) => lines.push(line));
    return { code, lines };
  }

  it('creates an organization with a working admin key, then keys for teammates, and revokes them', async () => {
    const org = await run('org', 'create', 'Ventes', 'Lyon', '--country', 'Belgique');
    expect(org.code).toBe(0);
    const orgId = /^organization: (\S+) Ventes Lyon$/.exec(org.lines[0]!)![1]!;
    const adminKey = /^admin api key: (tdk_\S+)$/.exec(org.lines[1]!)![1]!;
    const me = await call(app, 'GET', '/v1/organization', { key: adminKey });
    expect(me.body).toMatchObject({ id: orgId, name: 'Ventes Lyon', defaultCountry: 'BE' });

    const created = await run('key', 'create', '--org', orgId, '--role', 'caller', '--name', 'Léa');
    const key = /^api key: (tdk_\S+)$/.exec(created.lines[1]!)![1]!;
    expect((await call(app, 'GET', '/v1/prospects', { key })).status).toBe(200);

    const listed = await run('key', 'list', '--org', orgId);
    expect(listed.lines.some((l) => l.includes('caller') && l.includes('Léa'))).toBe(true);

    const revoked = await run('key', 'revoke', key.slice(0, 12));
    expect(revoked.lines).toEqual([expect.stringMatching(/^revoked /)]);
    // An operator may revoke the last admin key, and is told how to make another.
    const lastAdmin = await run('key', 'revoke', adminKey.slice(0, 12));
    expect(lastAdmin.lines[1]).toBe(
      `warning: the organization has no admin key left; make one with: tiede key create --org ${orgId} --role admin`,
    );
    expect((await call(app, 'GET', '/v1/prospects', { key })).status).toBe(401);
  });

  it('refuses bad arguments with a message and shows help for unknown commands', async () => {
    await expect(run('key', 'create', '--org', 'x', '--role', 'boss')).rejects.toThrow(
      '--role must be one of',
    );
    await expect(run('org', 'create')).rejects.toThrow('give the organization a name');
    await expect(run('key', 'revoke', 'tdk_nothing')).rejects.toThrow('Active API key was not found');
    await expect(
      run('key', 'create', '--org', '01a22709-4079-7007-93dc-3ad69c4667f9', '--role', 'caller'),
    ).rejects.toThrow(/^no organization 01a22709-4079-7007-93dc-3ad69c4667f9 \(tiede org list shows them\)$/);
    await expect(run('key', 'list', '--org', 'ventes')).rejects.toThrow('is not an organization id');
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.lines[0]).toContain('Tiède operator commands');
    expect((await run('migrate')).lines).toEqual(['migrations applied']);
  });
});

describe('the embedded database folder', () => {
  it('refuses a second live process and takes over from one that died', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tiede-owner-'));
    // pid 1 is always alive: another process holds the folder.
    writeFileSync(join(folder, 'tiede.pid'), '1');
    await expect(openDatabase({ dataDir: folder })).rejects.toThrow(
      /in use by another Tiède process \(pid 1\)/,
    );
    writeFileSync(join(folder, 'tiede.pid'), '999999999');
    const database = await openDatabase({ dataDir: folder });
    expect(readFileSync(join(folder, 'tiede.pid'), 'utf8')).toBe(String(process.pid));
    await database.close();
    expect(existsSync(join(folder, 'tiede.pid'))).toBe(false);
  });
});
