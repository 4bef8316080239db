// Failures of the recorders themselves: reported once per process, as a MetricsWarning, so a
// broken recorder never floods the logs of the service it observes.
import { metricsWarnings } from './warnings.js';

/** Reports `error` if no recording failure was reported before in this process. */
export function reportOnce(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  metricsWarnings.once('recording', `recording failed: ${message}`);
}
