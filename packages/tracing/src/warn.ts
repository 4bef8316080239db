// One-time warnings through process.emitWarning, so `--no-warnings` and warning listeners apply.
const said = new Set<string>();

/** Emits `message` once per `code` for the life of the process. */
export function warnOnce(code: string, message: string): void {
  if (said.has(code)) return;
  said.add(code);
  process.emitWarning(`@ai-orchestrator/tracing: ${message}`, { type: 'TracingWarning', code });
}
