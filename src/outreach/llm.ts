import type { ChatOpenAI } from '@langchain/openai';

/**
 * LangChain and the OpenAI client are loaded on the first call: a service without an LLM (the default)
 * does not carry them (tens of megabytes of code and strings).
 */
let langchain: Promise<typeof import('@langchain/openai')> | undefined;
const loadLangchain = () => {
  langchain ??= import('@langchain/openai');
  return langchain;
};

/**
 * The LLM behind a seam: one request (a system and a user message, and the JSON schema the answer must
 * follow) and one answer (the text, the tokens, the time). The OpenAI-compatible client is the real one;
 * `resilient` adds what a real endpoint needs: a concurrency limit, retries with backoff and jitter that
 * honour Retry-After, and a circuit breaker.
 */

export interface LlmRequest {
  system: string;
  user: string;
  schemaName: string;
  jsonSchema: Record<string, unknown>;
}

export interface LlmAnswer {
  text: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** Calls made for this answer, retries included. */
  calls: number;
}

export interface Llm {
  model: string;
  complete(request: LlmRequest): Promise<LlmAnswer>;
  /** The circuit breaker in front of it, when it has one (see resilient). */
  breaker?: CircuitBreaker;
}

export type LlmFailure = 'rate_limited' | 'server' | 'timeout' | 'connection' | 'client' | 'circuit_open';

export class LlmError extends Error {
  constructor(
    readonly kind: LlmFailure,
    message: string,
    readonly status?: number,
    /** What the server asked us to wait before trying again, in ms. */
    readonly retryAfterMs?: number,
    readonly calls = 1,
  ) {
    super(message);
    this.name = 'LlmError';
  }

  get retryable() {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'connection';
  }
}

export interface OpenAiOptions {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  temperature?: number;
}

/** Any OpenAI-compatible endpoint (OpenAI, Azure, Ollama, vLLM, a llama.cpp server) through LangChain. */
export function openAiCompatible(options: OpenAiOptions): Llm {
  let chat: ChatOpenAI | undefined;
  const client = async () => {
    chat ??= new (await loadLangchain()).ChatOpenAI({
      model: options.model,
      // Local servers take no key, but the client insists on one.
      apiKey: options.apiKey || 'none',
      configuration: options.baseUrl ? { baseURL: options.baseUrl } : undefined,
      temperature: options.temperature ?? 0.4,
      // Retries are ours: LangChain's back off without reading Retry-After.
      maxRetries: 0,
      timeout: options.timeoutMs,
    });
    return chat;
  };
  return {
    model: options.model,
    async complete(request) {
      const started = performance.now();
      try {
        // JSON mode, with the schema in the system message: every OpenAI-compatible server offers it, and
        // an answer that breaks the schema comes back as text that the drafter reads, reports and repairs
        // (with json_schema, the client throws away an answer it cannot parse).
        const message = await (await client()).invoke(
          [
            { role: 'system', content: `${request.system}\n\n${schemaLine(request)}` },
            { role: 'user', content: request.user },
          ],
          { response_format: { type: 'json_object' } },
        );
        const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
        return {
          text,
          inputTokens: message.usage_metadata?.input_tokens ?? 0,
          outputTokens: message.usage_metadata?.output_tokens ?? 0,
          latencyMs: performance.now() - started,
          calls: 1,
        };
      } catch (error) {
        throw asLlmError(error);
      }
    },
  };
}

const schemaLine = (request: LlmRequest) =>
  `JSON schema of the answer (${request.schemaName}): ${JSON.stringify(request.jsonSchema)}`;

/** The client's errors as our few kinds, with the status and Retry-After when the server gave them. */
export function asLlmError(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  const e = error as {
    status?: number;
    headers?: unknown;
    message?: string;
    retryAfterMs?: number;
    name?: string;
  };
  const message = e?.message ?? String(error);
  const status = typeof e?.status === 'number' ? e.status : undefined;
  // OpenAI also sends retry-after-ms, more precise than Retry-After's seconds.
  const ms = header(e?.headers, 'retry-after-ms')?.trim();
  const retryAfterMs =
    e?.retryAfterMs ??
    (ms && /^\d+(\.\d+)?$/.test(ms) ? Number(ms) : retryAfter(header(e?.headers, 'retry-after')));
  if (status === 429) return new LlmError('rate_limited', message, status, retryAfterMs);
  if (status !== undefined && status >= 500) return new LlmError('server', message, status, retryAfterMs);
  if (status !== undefined) return new LlmError('client', message, status);
  if (/timed? ?out|timeout|aborted/i.test(message)) return new LlmError('timeout', message);
  return new LlmError('connection', message);
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Retry-After as seconds or as an HTTP date, in ms. */
export function retryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface ResilienceOptions {
  concurrency: number;
  maxRetries: number;
  /** First backoff, doubled at each retry, with full jitter; never above maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failures that open the circuit, and how long it stays open before one trial call. */
  breakerFailures: number;
  breakerCooldownMs: number;
}

/** The delay before retry number `attempt` (0-based): full jitter on an exponential backoff, or what the server asked. */
export function retryDelay(
  attempt: number,
  options: Pick<ResilienceOptions, 'baseDelayMs' | 'maxDelayMs'>,
  serverAsked: number | undefined,
  random = Math.random,
): number {
  const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt) * random();
  return serverAsked !== undefined ? Math.max(serverAsked, backoff) : backoff;
}

/** A circuit breaker: closed, open after consecutive failures, half-open for one trial once cooled down. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trial = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half_open' {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half_open' : 'open';
  }

  /** Whether a call may go: always when closed, one at a time when half-open, never when open. */
  admit(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trial) return false;
    this.trial = true;
    return true;
  }

  success() {
    this.failures = 0;
    this.openedAt = null;
    this.trial = false;
  }

  failure() {
    this.failures++;
    this.trial = false;
    if (this.openedAt !== null || this.failures >= this.threshold) this.openedAt = this.now();
  }
}

/** A counting semaphore: at most `limit` holders at once, the others wait in order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The LLM with a concurrency limit, retries on 429, 5xx and lost connections, and a circuit breaker. */
export function resilient(
  llm: Llm,
  options: ResilienceOptions,
  breaker?: CircuitBreaker,
): Llm & { breaker: CircuitBreaker } {
  const circuit = breaker ?? new CircuitBreaker(options.breakerFailures, options.breakerCooldownMs);
  const slots = new Semaphore(options.concurrency);
  return {
    model: llm.model,
    breaker: circuit,
    complete: async (request) => {
      let calls = 0;
      for (let attempt = 0; ; attempt++) {
        if (!circuit.admit())
          throw new LlmError(
            'circuit_open',
            'the LLM endpoint is failing; circuit open',
            undefined,
            undefined,
            calls,
          );
        calls++;
        // A slot is held for the call only: a draft waiting to retry leaves it to others.
        const outcome = await slots.run(() =>
          llm.complete(request).then(
            (answer) => ({ answer }),
            (error: unknown) => ({ error: asLlmError(error) }),
          ),
        );
        if ('answer' in outcome) {
          circuit.success();
          return { ...outcome.answer, calls };
        }
        const e = outcome.error;
        circuit.failure();
        // A server that asks for more than our longest wait is treated as down for this draft.
        const tooLong = e.retryAfterMs !== undefined && e.retryAfterMs > options.maxDelayMs * 4;
        if (!e.retryable || attempt >= options.maxRetries || tooLong)
          throw new LlmError(e.kind, e.message, e.status, e.retryAfterMs, calls);
        await sleep(retryDelay(attempt, options, e.retryAfterMs));
      }
    },
  };
}
