// One-time warnings through process.emitWarning, so `--no-warnings` and warning listeners apply.
const said = new Set<string>();

/** Emits `message` once per `key` (default: the `code`) for the life of the process. */
export function warnOnce(code: string, message: string, key = code): void {
  if (said.has(key)) return;
  said.add(key);
  process.emitWarning(`@ai-orchestrator/tracing: ${message}`, { type: 'TracingWarning', code });
}
