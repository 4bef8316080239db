// The simulated models: per-operation latency (log-normal), token counts and failure modes.
import { logNormal, randomInt, type EngineType } from '@ai-orchestrator/demo-kit';

export interface ModelProfile {
  readonly engine: EngineType;
  /** Median latency per operation, milliseconds. */
  readonly medianMs: Readonly<Record<string, number>>;
  readonly sigma: number;
  readonly failureRate: number;
  readonly timeoutRate: number;
}

export const MODELS: Readonly<Record<string, ModelProfile>> = {
  'gpt-4o': {
    engine: 'openai',
    medianMs: { completion: 180, chat: 220, embedding: 25 },
    sigma: 0.6,
    failureRate: 0.02,
    timeoutRate: 0.003,
  },
  'claude-sonnet': {
    engine: 'anthropic',
    medianMs: { completion: 240, chat: 260, embedding: 30 },
    sigma: 0.5,
    failureRate: 0.015,
    timeoutRate: 0.002,
  },
  'llama-3-8b': {
    engine: 'local-llm',
    medianMs: { completion: 90, chat: 110, embedding: 10 },
    sigma: 0.4,
    failureRate: 0.01,
    timeoutRate: 0.001,
  },
};

export const MODEL_FOR_ENGINE: Readonly<Record<EngineType, string>> = {
  openai: 'gpt-4o',
  anthropic: 'claude-sonnet',
  'local-llm': 'llama-3-8b',
};

export interface Simulation {
  readonly latencyMs: number;
  readonly outcome: 'success' | 'failure' | 'timeout';
  readonly tokens: { readonly input: number; readonly output: number };
}

/** One call's fate: how long it takes, whether it fails, how many tokens it uses. */
export function simulate(
  profile: ModelProfile,
  operation: string,
  promptChars: number,
): Simulation {
  const median = profile.medianMs[operation] ?? 150;
  const roll = Math.random();
  const outcome =
    roll < profile.timeoutRate
      ? 'timeout'
      : roll < profile.timeoutRate + profile.failureRate
        ? 'failure'
        : 'success';
  const input = Math.max(1, Math.round(promptChars / 4)) + randomInt(20, 400);
  const output = operation === 'embedding' ? 0 : randomInt(30, 700);
  // A timeout is the client giving up: the simulated wait is capped so the demo keeps moving.
  const latencyMs =
    outcome === 'timeout'
      ? Math.min(3000, median * 8)
      : Math.min(5000, logNormal(median, profile.sigma));
  return { latencyMs, outcome, tokens: { input, output: outcome === 'success' ? output : 0 } };
}
