import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    serverTemplate: { url: string; template: string } | null;
  }
}

/**
 * Migrates one PGlite database and saves it as a template each test file starts from (a second instead
 * of the six a fresh PGlite takes). With TEST_DATABASE_URL, migrates a template database on that server,
 * which each test file copies; all of them are dropped at the end. An unreachable server fails the run.
 */
export default async function setup(project: TestProject) {
  const template = await openDatabase({ dataDir: 'memory://' });
  await template.migrate();
  const dump = await template.pglite!.dumpDataDir('none');
  const templatePath = join(tmpdir(), `tiede-template-${process.pid}.tar`);
  writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()));
  await template.close();
  project.provide('pgliteTemplate', templatePath);

  const base = process.env.TEST_DATABASE_URL;
  let dropServerDatabases = async () => {};
  if (base) {
    const name = `tiede_test_${randomBytes(4).toString('hex')}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const server = await openDatabase({ url: url.toString(), poolSize: 1 });
    await server.migrate();
    await server.close();
    project.provide('serverTemplate', { url: base, template: name });
    dropServerDatabases = async () => {
      const names = await admin<
        { datname: string }[]
      >`SELECT datname FROM pg_database WHERE datname LIKE ${`${name}%`}`;
      for (const { datname } of names) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    project.provide('serverTemplate', null);
  }

  return async () => {
    rmSync(templatePath, { force: true });
    await dropServerDatabases();
  };
}
