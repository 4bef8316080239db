// One-time warnings through process.emitWarning (the toolkit's shared Warnings).
import { Warnings } from '@ai-orchestrator/metrics/shared';

const warnings = new Warnings('@ai-orchestrator/tracing', 'TracingWarning');

/** Emits `message` once per `key` (default: the `code`) for the life of the process. */
export function warnOnce(code: string, message: string, key = code): void {
  warnings.once(key, message, code);
}
