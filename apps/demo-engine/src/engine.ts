// The demo's models: which SDK and provider serve each engine, how fast and how reliably the
// (fake) provider answers, and what their tokens cost in the demo's price catalog.
import type { PriceCatalog } from '@ai-orchestrator/metrics';
import { logNormal, randomInt, type EngineType } from '@ai-orchestrator/demo-kit';

export interface ModelProfile {
  readonly engine: EngineType;
  /** The SDK the engine calls it with. */
  readonly sdk: 'openai' | 'anthropic';
  /** gen_ai.provider.name: an OpenAI-compatible local server is not `openai`. */
  readonly provider: string;
  /** The model that answers embedding steps. */
  readonly embeddingModel: string;
  /** Median latency per operation, milliseconds. */
  readonly medianMs: Readonly<Record<string, number>>;
  readonly sigma: number;
  readonly failureRate: number;
  readonly timeoutRate: number;
  readonly rateLimitRate: number;
}

export const MODELS: Readonly<Record<string, ModelProfile>> = {
  'gpt-4o': {
    engine: 'openai',
    sdk: 'openai',
    provider: 'openai',
    embeddingModel: 'text-embedding-3-small',
    medianMs: { completion: 180, chat: 220, embedding: 25 },
    sigma: 0.6,
    failureRate: 0.02,
    timeoutRate: 0.003,
    rateLimitRate: 0.03,
  },
  'claude-sonnet': {
    engine: 'anthropic',
    sdk: 'anthropic',
    provider: 'anthropic',
    embeddingModel: 'text-embedding-3-small',
    medianMs: { completion: 240, chat: 260, embedding: 30 },
    sigma: 0.5,
    failureRate: 0.015,
    timeoutRate: 0.002,
    rateLimitRate: 0.02,
  },
  'llama-3-8b': {
    engine: 'local-llm',
    sdk: 'openai',
    provider: 'ollama',
    embeddingModel: 'nomic-embed-text',
    medianMs: { completion: 90, chat: 110, embedding: 10 },
    sigma: 0.4,
    failureRate: 0.01,
    timeoutRate: 0.001,
    rateLimitRate: 0,
  },
};

/** The demo's prices per million tokens (list prices of the hosted models; local ones cost 0). */
export const PRICES: PriceCatalog = {
  currency: 'USD',
  version: 'demo-2026-11',
  models: [
    {
      provider: 'openai',
      model: 'gpt-4o',
      input: 2.5,
      output: 10,
      cacheRead: 1.25,
      cacheWrite: 2.5,
    },
    { provider: 'openai', model: 'text-embedding-3-small', input: 0.02, output: 0 },
    {
      provider: 'anthropic',
      model: 'claude-sonnet',
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    },
    { provider: 'ollama', model: 'llama-3-8b', input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    { provider: 'ollama', model: 'nomic-embed-text', input: 0, output: 0 },
  ],
};

/** What the fake provider does with one request of a model. */
export type Fate =
  | {
      readonly kind: 'ok';
      readonly firstChunkMs: number;
      readonly chunkMs: number;
      readonly output: number;
    }
  | { readonly kind: 'rate-limited' | 'failure' | 'timeout' | 'cut' };

const CHUNKS = 24;

/** One call's fate: how long its first chunk and the rest take, or how it fails. */
export function fate(profile: ModelProfile, operation: string): Fate {
  const roll = Math.random();
  let edge = profile.timeoutRate;
  if (roll < edge) return { kind: 'timeout' };
  if (roll < (edge += profile.rateLimitRate)) return { kind: 'rate-limited' };
  if (roll < (edge += profile.failureRate)) return { kind: 'failure' };
  if (operation !== 'embedding' && roll < edge + 0.01) return { kind: 'cut' };
  const total = Math.min(5000, logNormal(profile.medianMs[operation] ?? 150, profile.sigma));
  // A third of the time goes to the first token, the rest is spread over the chunks.
  return {
    kind: 'ok',
    firstChunkMs: total / 3,
    chunkMs: (2 * total) / 3 / CHUNKS,
    output: operation === 'embedding' ? 0 : randomInt(30, 700),
  };
}

/** A sentence of CHUNKS words about the step, for the streamed answer. */
export function answerText(operation: string): string {
  const words = `the ${operation} result covers the request with a short plain answer`.split(' ');
  return Array.from({ length: CHUNKS }, (_, i) => words[i % words.length]).join(' ');
}
