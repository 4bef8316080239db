// Failures of the recorders themselves: reported once per process, as a MetricsWarning, so a
// broken recorder never floods the logs of the service it observes.

let reportedOnce = false;

/** Reports `error` if nothing was reported before in this process. */
export function reportOnce(error: unknown): void {
  if (reportedOnce) return;
  reportedOnce = true;
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`@ai-orchestrator/metrics: recording failed: ${message}`, 'MetricsWarning');
}
