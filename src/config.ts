import { z } from 'zod';
import { normalizeCountry } from './prospects/locale';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const bytes = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = parseByteSize(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected a size such as 1048576, 512kb, 10mb or 1gb' });
        return z.NEVER;
      }
      return parsed;
    });

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected ${min} or more` })
    .max(max, { error: `expected ${max} or less` })
    .default(fallback);

const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, { error: 'expected a two-letter ISO country code such as FR' })
  .transform((v) => v.toUpperCase())
  .refine((v) => normalizeCountry(v) === v, {
    error: 'expected a country code such as FR; this one names none',
  });

export const configSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// or postgresql:// URL' })
    .optional(),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATABASE_PLAN_CACHE_MODE: z
    .enum(['auto', 'force_generic_plan', 'force_custom_plan'])
    .default('force_generic_plan'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  MAX_BODY_BYTES: bytes(1024 * 1024),
  MAX_UPLOAD_BYTES: bytes(1024 * 1024 * 1024),
  IMPORT_SYNC_MAX_BYTES: bytes(2 * 1024 * 1024),
  IMPORT_BATCH_SIZE: int(2000, 1, 50_000),
  JOB_CONCURRENCY: int(1, 0, 16),
  JOB_POLL_MS: int(1000, 10, 60_000),
  JOB_LEASE_SECONDS: int(60, 5, 3600),
  /** Hours between full rescorings of a campaign, so that decay and contact pressure follow the calendar; 0: never. */
  RESCORE_EVERY_HOURS: int(24, 0, 24 * 30),
  /** Worker threads a full rescoring uses on a server, each with its own part of the prospects (0: none). */
  RESCORE_THREADS: int(2, 0, 16),
  DEFAULT_COUNTRY: countryCode.default('FR'),
  /** Key of the hashes the do-not-contact list keeps; default: DATA_DIR/suppression.key, made at first start. */
  SUPPRESSION_SECRET: z
    .string()
    .min(32, { error: 'at least 32 characters (e.g. openssl rand -base64 32)' })
    .optional(),
  BOOTSTRAP_ORG_NAME: z.string().min(1).max(200).default('My organization'),
  /** The LLM that drafts: any OpenAI-compatible endpoint. Without LLM_MODEL, the template drafter writes. */
  LLM_MODEL: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ error: 'expected a URL such as http://localhost:11434/v1' }).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: int(30_000, 100, 600_000),
  LLM_MAX_RETRIES: int(2, 0, 10),
  LLM_CONCURRENCY: int(16, 1, 256),
  /** Consecutive failures that open the circuit (the template then writes), and for how long. */
  LLM_BREAKER_FAILURES: int(5, 1, 1000),
  LLM_BREAKER_COOLDOWN_MS: int(30_000, 100, 3_600_000),
  /** US dollars per million tokens, to estimate each draft's cost. */
  LLM_PRICE_INPUT_PER_MTOK: z.coerce.number({ error: 'expected a number' }).min(0).default(0),
  LLM_PRICE_OUTPUT_PER_MTOK: z.coerce.number({ error: 'expected a number' }).min(0).default(0),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; a bad value throws a ConfigError that names each variable at fault. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const result = configSchema.safeParse(known);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    }),
  );
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase();
  const factor = UNITS[unit.endsWith('b') || unit === '' ? unit : `${unit}b`];
  return factor === undefined ? undefined : Math.floor(Number(match[1]) * factor);
}

/** For the process entries (server, CLI, demo): a bad setting ends the process with its message. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** How the entries open the database the settings name. */
export function databaseOptions(config: Config, poolSize = config.DATABASE_POOL_SIZE) {
  return {
    ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : {}),
    dataDir: config.DATA_DIR,
    poolSize,
    planCacheMode: config.DATABASE_PLAN_CACHE_MODE,
  };
}
