// The seed's daily targets (p95 < 1 s, errors < 1 %, workflow success > 95 %), each computed over
// the whole window from the raw counters and histogram buckets of the metric contract: a ratio of
// sums and a quantile of the window's distribution, never an average of 5-minute values (which
// lets a quiet hour of failures weigh as much as a busy hour of successes).
import { METRICS } from '@ai-orchestrator/metrics';

/** One daily target, as a PromQL query over `window` grouped by service. */
export interface Objective {
  readonly name: string;
  readonly objective: string;
  readonly query: (window: string) => string;
  /** Whether the window's value meets the objective. */
  readonly meets: (value: number) => boolean;
  readonly format: (value: number) => string;
}

const percent = (v: number): string => `${(v * 100).toFixed(2)} %`;
const HTTP = METRICS.httpServerRequestDuration.name;
const WORKFLOWS = METRICS.workflowExecutions.name;

/** Share of `selector`'s increase in all of `metric`'s increase over the window, per service
 * (0, not absent, for a service where nothing matched). */
function share(metric: string, selector: string, window: string): string {
  const all = `sum by (service) (increase(${metric}[${window}]))`;
  return `(sum by (service) (increase(${metric}{${selector}}[${window}])) or ${all} * 0) / ${all}`;
}

export const OBJECTIVES: readonly Objective[] = [
  {
    name: 'p95 latency',
    objective: '< 1 s',
    query: (w) => `histogram_quantile(0.95, sum by (service, le) (increase(${HTTP}_bucket[${w}])))`,
    meets: (v) => v < 1,
    format: (v) => `${v.toFixed(3)} s`,
  },
  {
    name: 'error rate',
    objective: '< 1 %',
    query: (w) => share(`${HTTP}_count`, 'http_response_status_code=~"5.."', w),
    meets: (v) => v < 0.01,
    format: percent,
  },
  {
    name: 'workflow success',
    objective: '> 95 %',
    query: (w) => share(WORKFLOWS, 'status="success"', w),
    meets: (v) => v > 0.95,
    format: percent,
  },
];
