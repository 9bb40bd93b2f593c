import type { Config } from '../config';
import type { DrafterDeps } from './drafter';
import { openAiCompatible, resilient } from './llm';
import { loadPrompts, type PromptSet } from './prompts';

export type LlmConfig = Pick<
  Config,
  | 'LLM_MODEL'
  | 'OPENAI_BASE_URL'
  | 'OPENAI_API_KEY'
  | 'LLM_TIMEOUT_MS'
  | 'LLM_MAX_RETRIES'
  | 'LLM_CONCURRENCY'
  | 'LLM_BREAKER_FAILURES'
  | 'LLM_BREAKER_COOLDOWN_MS'
  | 'LLM_PRICE_INPUT_PER_MTOK'
  | 'LLM_PRICE_OUTPUT_PER_MTOK'
>;

/** The drafter the settings describe: the OpenAI-compatible LLM with its safeguards, or the template alone. */
export function drafterFromConfig(
  config: Partial<LlmConfig>,
  prompts: PromptSet = loadPrompts(),
): DrafterDeps {
  const prices = {
    inputPerMillion: config.LLM_PRICE_INPUT_PER_MTOK ?? 0,
    outputPerMillion: config.LLM_PRICE_OUTPUT_PER_MTOK ?? 0,
  };
  if (!config.LLM_MODEL) return { llm: null, prompts, prices };
  const llm = openAiCompatible({
    model: config.LLM_MODEL,
    baseUrl: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY,
    timeoutMs: config.LLM_TIMEOUT_MS ?? 30_000,
  });
  return {
    llm: resilient(llm, {
      concurrency: config.LLM_CONCURRENCY ?? 16,
      maxRetries: config.LLM_MAX_RETRIES ?? 2,
      baseDelayMs: 500,
      maxDelayMs: 8_000,
      breakerFailures: config.LLM_BREAKER_FAILURES ?? 5,
      breakerCooldownMs: config.LLM_BREAKER_COOLDOWN_MS ?? 30_000,
    }),
    prompts,
    prices,
  };
}
