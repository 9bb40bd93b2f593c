import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../db/schema';
import { databaseOptions, loadConfigOrExit } from './config';
import { systemCtx } from './context';
import { type Database, openDatabase } from './db';
import { AppError } from './http/errors';
import { isUuid } from './lib/ids';
import { migrate } from './migrate';
import {
  createApiKey,
  createOrganization,
  getOrganization,
  listApiKeys,
  listOrganizations,
  revokeApiKeyByIdOrPrefix,
} from './orgs/service';
import { normalizeCountry } from './prospects/locale';

const HELP = `Tiède operator commands (database from DATABASE_URL, else the PGlite files in DATA_DIR)

  tiede migrate                                   apply the database migrations
  tiede org create <name> [--country FR] [--language fr]
                                                  create an organization and its first admin key
  tiede org list                                  list organizations
  tiede key create --org <id> --role <role> [--name <name>]
                                                  create an API key (roles: ${ROLES.join(', ')})
  tiede key list --org <id>                       list an organization's active keys
  tiede key revoke <key id or prefix>             revoke a key at once

With PGlite, stop the server first: the embedded database has a single owner.`;

type Out = (line: string) => void;

export async function runCli(argv: string[], database: Database, out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      country: { type: 'string' },
      language: { type: 'string' },
    },
  });
  const [group, action, ...rest] = positionals;
  const { db } = database;
  switch (`${group} ${action ?? ''}`.trim()) {
    case 'migrate':
      await migrate(database);
      out('migrations applied');
      return 0;
    case 'org create': {
      const name = rest.join(' ').trim();
      if (!name)
        throw new AppError('VALIDATION', 'give the organization a name: tiede org create "ACME Ventes"');
      const country = values.country ? normalizeCountry(values.country) : 'FR';
      if (!country) throw new AppError('VALIDATION', `--country ${values.country} is not a country`);
      await migrate(database);
      const org = await createOrganization(db, {
        name,
        defaultCountry: country,
        defaultLanguage: values.language ?? 'fr',
      });
      const { key } = await createApiKey(db, org.id, { name: 'first admin', role: 'admin' });
      out(`organization: ${org.id} ${org.name}`);
      out(`admin api key: ${key}`);
      return 0;
    }
    case 'org list':
      for (const org of await listOrganizations(db)) out(`${org.id}  ${org.defaultCountry}  ${org.name}`);
      return 0;
    case 'key create': {
      const role = values.role as Role;
      if (!values.org) throw new AppError('VALIDATION', '--org <organization id> is required');
      if (!ROLES.includes(role))
        throw new AppError('VALIDATION', `--role must be one of ${ROLES.join(', ')}`);
      await knownOrganization(db, values.org);
      const { key, apiKey } = await createApiKey(db, values.org, {
        name: values.name ?? `${role} key`,
        role,
      });
      out(`key id: ${apiKey.id} (${apiKey.prefix}…, ${apiKey.role})`);
      out(`api key: ${key}`);
      return 0;
    }
    case 'key list': {
      if (!values.org) throw new AppError('VALIDATION', '--org <organization id> is required');
      await knownOrganization(db, values.org);
      const keys = await listApiKeys(systemCtx(db, values.org));
      for (const k of keys) out(`${k.id}  ${k.prefix}…  ${k.role.padEnd(8)}  ${k.name}`);
      return 0;
    }
    case 'key revoke': {
      const target = rest[0];
      if (!target)
        throw new AppError('VALIDATION', 'give the key id or its prefix: tiede key revoke tdk_AbCdEfGh');
      const key = await revokeApiKeyByIdOrPrefix(db, target);
      out(`revoked ${key.id} (${key.prefix}…)`);
      const admins = (await listApiKeys(systemCtx(db, key.orgId))).filter((k) => k.role === 'admin');
      if (admins.length === 0)
        out(
          `warning: the organization has no admin key left; make one with: tiede key create --org ${key.orgId} --role admin`,
        );
      return 0;
    }
    default:
      out(HELP);
      return group === undefined || group === 'help' ? 0 : 2;
  }
}

/** The organization --org names, or a plain error naming what is wrong with it. */
async function knownOrganization(db: Database['db'], id: string) {
  if (!isUuid(id))
    throw new AppError('VALIDATION', `--org "${id}" is not an organization id (tiede org list shows them)`);
  try {
    return await getOrganization(db, id);
  } catch {
    throw new AppError('NOT_FOUND', `no organization ${id} (tiede org list shows them)`);
  }
}

/** What went wrong, without the statement a failed query carries (it may hold a key's hash). */
function said(error: unknown): string {
  if (error instanceof AppError || !(error instanceof Error))
    return String((error as Error)?.message ?? error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : error.message;
}

export async function main() {
  const config = loadConfigOrExit();
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let database: Database;
  try {
    database = await openDatabase(databaseOptions(config, 2));
  } catch (error) {
    process.stderr.write(`error: ${said(error)}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    process.exitCode = await runCli(argv, database, (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    process.stderr.write(`error: ${said(error)}\n`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}

// Run directly (npm run cli, tsx src/cli.ts); bin/tiede.mjs calls main() itself.
if (process.argv[1]?.endsWith('cli.ts')) await main();
