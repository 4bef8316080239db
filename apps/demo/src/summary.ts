// The live terminal summary: scrapes the services' metrics and reads firing alerts.
import { buckets, parseExposition, quantile, sum, type Sample } from './exposition.js';
import type { RunningService } from './services.js';

export interface Snapshot {
  readonly at: number;
  readonly byService: ReadonlyMap<string, Sample[]>;
}

export interface Summary {
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p95Ms: number | undefined;
  readonly errorPercent: number | undefined;
  readonly workflowSuccessPercent: number | undefined;
  readonly queue: number;
  readonly mau: number;
  readonly requests: number;
  readonly workflows: number;
  readonly alerts: readonly string[];
}

export async function snapshot(services: readonly RunningService[]): Promise<Snapshot> {
  const byService = new Map<string, Sample[]>();
  await Promise.all(
    services.map(async (s) => {
      try {
        const res = await fetch(s.metricsUrl, { signal: AbortSignal.timeout(2000) });
        byService.set(s.name, parseExposition(await res.text()));
      } catch {
        byService.set(s.name, []);
      }
    }),
  );
  return { at: Date.now(), byService };
}

const REQUESTS = 'http_server_request_duration_seconds_count';
const is5xx = (l: Readonly<Record<string, string>>) =>
  (l.http_response_status_code ?? '').startsWith('5');

export async function firingAlerts(prometheusUrl: string | undefined): Promise<string[]> {
  if (!prometheusUrl) return [];
  try {
    const res = await fetch(`${prometheusUrl}/api/v1/alerts`, {
      signal: AbortSignal.timeout(2000),
    });
    const body = (await res.json()) as {
      data?: { alerts?: { state: string; labels: { alertname: string } }[] };
    };
    const names = (body.data?.alerts ?? [])
      .filter((a) => a.state === 'firing')
      .map((a) => a.labels.alertname);
    return [...new Set(names)].sort();
  } catch {
    return [];
  }
}

/** Rates between two snapshots; totals since `first`. */
export function summarize(
  first: Snapshot,
  before: Snapshot,
  after: Snapshot,
  alerts: readonly string[],
): Summary {
  const gw0 = before.byService.get('gateway') ?? [];
  const gw1 = after.byService.get('gateway') ?? [];
  const or0 = before.byService.get('orchestrator') ?? [];
  const or1 = after.byService.get('orchestrator') ?? [];
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const requests = sum(gw1, REQUESTS) - sum(gw0, REQUESTS);
  const errors = sum(gw1, REQUESTS, is5xx) - sum(gw0, REQUESTS, is5xx);
  const wf = sum(or1, 'workflow_executions_total') - sum(or0, 'workflow_executions_total');
  const wfOk =
    sum(or1, 'workflow_executions_total', (l) => l.status === 'success') -
    sum(or0, 'workflow_executions_total', (l) => l.status === 'success');
  const p95 = quantile(
    0.95,
    buckets(gw0, 'http_server_request_duration_seconds'),
    buckets(gw1, 'http_server_request_duration_seconds'),
  );
  return {
    seconds: (after.at - first.at) / 1000,
    requestsPerSecond: requests / seconds,
    p95Ms: p95 === undefined ? undefined : p95 * 1000,
    errorPercent: requests > 0 ? (100 * errors) / requests : undefined,
    workflowSuccessPercent: wf > 0 ? (100 * wfOk) / wf : undefined,
    queue: sum(or1, 'workflow_queue_size'),
    mau: sum(gw1, 'business_active_users', (l) => l.window === '30d'),
    requests: sum(gw1, REQUESTS) - sum(first.byService.get('gateway') ?? [], REQUESTS),
    workflows:
      sum(or1, 'workflow_executions_total') -
      sum(first.byService.get('orchestrator') ?? [], 'workflow_executions_total'),
    alerts,
  };
}

const fmt = (v: number | undefined, digits = 1, unit = '') =>
  v === undefined ? '–' : `${v.toFixed(digits)}${unit}`;

export function formatSummary(s: Summary): string {
  return [
    `[${Math.round(s.seconds)}s]`,
    `req/s ${fmt(s.requestsPerSecond)}`,
    `p95 ${fmt(s.p95Ms, 0, ' ms')}`,
    `errors ${fmt(s.errorPercent, 1, '%')}`,
    `workflow success ${fmt(s.workflowSuccessPercent, 1, '%')}`,
    `queue ${s.queue}`,
    `MAU ${s.mau}`,
    `firing: ${s.alerts.length ? s.alerts.join(', ') : 'none'}`,
  ].join(' | ');
}
