import { z } from 'zod';
import { checkDraft, type DraftCheck } from './check';
import { CONTENT_SCHEMAS, type DraftContent } from './content';
import type { DraftFacts } from './facts';
import type { Finding } from './findings';
import { type Llm, LlmError } from './llm';
import { type PromptSet, type RenderedPrompt, renderPrompt, renderRepair } from './prompts';
import { templateDraft } from './template';

/**
 * Writing one draft: the LLM when one is configured and its circuit is closed, else the template drafter;
 * every draft checked; a failing LLM draft repaired once with its findings, then rejected if it still fails.
 */

export interface Prices {
  /** US dollars per million input and output tokens, to estimate what a draft cost. */
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface DrafterDeps {
  llm: Llm | null;
  prompts: PromptSet;
  prices: Prices;
}

export interface LlmCallLog {
  purpose: 'draft' | 'repair';
  ok: boolean;
  error?: string;
  status?: number;
  calls: number;
  request: { system: string; user: string };
  response?: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
}

export interface WrittenDraft {
  status: 'draft' | 'rejected';
  generator: string;
  model: string | null;
  promptFile: string | null;
  promptVersion: string | null;
  content: DraftContent | null;
  check: DraftCheck;
  repaired: boolean;
  fallback: string | null;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  costUsd: number;
  llmCalls: LlmCallLog[];
}

/** The lines every e-mail and SMS ends with when the campaign sets none. */
export const DEFAULT_OPT_OUTS = {
  fr: {
    emailOptOut:
      'Si vous ne souhaitez plus recevoir de messages de notre part, répondez simplement « STOP » à cet e-mail.',
    smsOptOut: 'STOP SMS: repondez STOP',
  },
  en: {
    emailOptOut:
      'If you would rather not receive messages from us, simply reply "unsubscribe" to this e-mail.',
    smsOptOut: 'Reply STOP to opt out',
  },
} as const;

const jsonSchemas = Object.fromEntries(
  Object.entries(CONTENT_SCHEMAS).map(([channel, schema]) => [
    channel,
    z.toJSONSchema(schema) as Record<string, unknown>,
  ]),
);

export async function writeDraft(facts: DraftFacts, deps: DrafterDeps): Promise<WrittenDraft> {
  if (!deps.llm) return fromTemplate(facts, null);
  const llm = deps.llm;
  const prompt = renderPrompt(deps.prompts, facts, DEFAULT_OPT_OUTS[facts.language]);
  const calls: LlmCallLog[] = [];
  const first = await ask(llm, prompt, facts, 'draft', calls);
  // The endpoint failed (after its retries) or its circuit is open: the template answers, and says why.
  if (first instanceof LlmError)
    return { ...fromTemplate(facts, first.kind), llmCalls: calls, ...usage(calls, deps.prices) };
  let result = first;
  let repaired = false;
  if (!result.check.passed) {
    repaired = true;
    const second = await ask(
      llm,
      renderRepair(prompt, facts.language, result.text, result.check.findings),
      facts,
      'repair',
      calls,
    );
    if (!(second instanceof LlmError)) result = second;
  }
  return {
    status: result.check.passed ? 'draft' : 'rejected',
    generator: `llm:${llm.model}`,
    model: llm.model,
    promptFile: prompt.promptFile,
    promptVersion: prompt.promptVersion,
    content: result.content,
    check: result.check,
    repaired,
    fallback: null,
    llmCalls: calls,
    ...usage(calls, deps.prices),
  };
}

function fromTemplate(facts: DraftFacts, fallback: string | null): WrittenDraft {
  const content = templateDraft(facts);
  const check = checkDraft(facts.channel, content, facts);
  return {
    status: check.passed ? 'draft' : 'rejected',
    generator: 'template',
    model: null,
    promptFile: null,
    promptVersion: null,
    content,
    check,
    repaired: false,
    fallback,
    inputTokens: 0,
    outputTokens: 0,
    latencyMs: 0,
    costUsd: 0,
    llmCalls: [],
  };
}

function usage(calls: LlmCallLog[], prices: Prices) {
  const inputTokens = calls.reduce((s, c) => s + c.inputTokens, 0);
  const outputTokens = calls.reduce((s, c) => s + c.outputTokens, 0);
  return {
    inputTokens,
    outputTokens,
    latencyMs: Math.round(calls.reduce((s, c) => s + c.latencyMs, 0)),
    costUsd: (inputTokens * prices.inputPerMillion + outputTokens * prices.outputPerMillion) / 1_000_000,
  };
}

interface Answer {
  text: string;
  content: DraftContent | null;
  check: DraftCheck;
}

/** One call, its answer read and checked; an unreadable answer is a failed check, which a repair may fix. */
async function ask(
  llm: Llm,
  prompt: RenderedPrompt,
  facts: DraftFacts,
  purpose: LlmCallLog['purpose'],
  calls: LlmCallLog[],
): Promise<Answer | LlmError> {
  const request = { system: prompt.system, user: prompt.user };
  try {
    const answer = await llm.complete({
      ...request,
      schemaName: facts.channel,
      jsonSchema: jsonSchemas[facts.channel]!,
    });
    const parsed = readAnswer(facts, answer.text);
    calls.push({
      purpose,
      ok: true,
      calls: answer.calls,
      request,
      response: answer.text,
      inputTokens: answer.inputTokens,
      outputTokens: answer.outputTokens,
      latencyMs: answer.latencyMs,
    });
    return { text: answer.text, ...parsed };
  } catch (error) {
    const e = error instanceof LlmError ? error : new LlmError('connection', String(error));
    calls.push({
      purpose,
      ok: false,
      error: `${e.kind}: ${e.message}`,
      status: e.status,
      calls: e.calls,
      request,
      inputTokens: 0,
      outputTokens: 0,
      latencyMs: 0,
    });
    return e;
  }
}

function readAnswer(facts: DraftFacts, text: string): { content: DraftContent | null; check: DraftCheck } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return unreadable('INVALID_JSON', 'La réponse n’est pas du JSON', 'The answer is not JSON');
  }
  const result = CONTENT_SCHEMAS[facts.channel].safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`).join('; ');
    return unreadable(
      'INVALID_OUTPUT',
      `Réponse incomplète ou mal formée : ${where}`,
      `Missing or malformed fields: ${where}`,
    );
  }
  const content = result.data as DraftContent;
  return { content, check: checkDraft(facts.channel, content, facts) };
}

function unreadable(code: string, fr: string, en: string): { content: null; check: DraftCheck } {
  const finding: Finding = { check: 'mandatory', code, severity: 'error', penalty: 100, fr, en };
  return { content: null, check: { passed: false, tolerability: 0, findings: [finding] } };
}
