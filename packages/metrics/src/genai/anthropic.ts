// instrumentAnthropic: messages.create of one @anthropic-ai/sdk client (0.x, 1.x), plain,
// streaming and tool use, and what messages.stream() calls; beta.messages too.
import { reportOnce } from '../report.js';
import { ANTHROPIC_MESSAGES } from './anthropic-messages.js';
import { instrumentClient, type InstrumentOptions } from './instrument.js';

const TARGETS = [
  { path: ['messages'], protocol: ANTHROPIC_MESSAGES },
  { path: ['beta', 'messages'], protocol: ANTHROPIC_MESSAGES },
] as const;

/**
 * True when the client makes its own spans (@anthropic-ai/sdk >= 0.134 with a tracer provider
 * and without `openTelemetry: false`): we then record metrics only, never a second span.
 */
function tracesItself(client: object): boolean {
  const otel = (client as { openTelemetry?: { traces?: { enabled?: unknown } } }).openTelemetry;
  return otel?.traces?.enabled === true;
}

/**
 * Records every call of this Anthropic client: gen_ai_* and engine_* metrics, spend, and one
 * CLIENT span per call (the SDK's own, when it makes one). Returns the same client.
 *
 * @example
 * const anthropic = instrumentAnthropic(new Anthropic({ openTelemetry: false }), { metrics });
 */
export function instrumentAnthropic<C extends object>(client: C, options: InstrumentOptions): C {
  return instrumentClient(
    'instrumentAnthropic',
    client,
    options,
    { provider: 'anthropic', targets: TARGETS, spans: (c) => !tracesItself(c) },
    reportOnce,
  );
}
