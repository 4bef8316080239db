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
  /** GenAI input and output tokens per second, from the engine's gen_ai_client_token_usage. */
  readonly tokensPerSecond: number;
  /** Spend since the first snapshot, by currency (gen_ai_client_operation_cost_total). */
  readonly spend: ReadonlyMap<string, number>;
  readonly tokens: number;
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
const TOKENS = 'gen_ai_client_token_usage_sum';
const COST = 'gen_ai_client_operation_cost_total';

/** Spend between two engine snapshots, per currency. */
function spendBetween(before: readonly Sample[], after: readonly Sample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const currency of new Set(
    after.filter((x) => x.name === COST).map((x) => x.labels.gen_ai_usage_cost_currency ?? ''),
  )) {
    const of = (l: Readonly<Record<string, string>>) => l.gen_ai_usage_cost_currency === currency;
    out.set(currency, sum(after, COST, of) - sum(before, COST, of));
  }
  return out;
}
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
  const en0 = before.byService.get('engine') ?? [];
  const en1 = after.byService.get('engine') ?? [];
  const enFirst = first.byService.get('engine') ?? [];
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
    tokensPerSecond: (sum(en1, TOKENS) - sum(en0, TOKENS)) / seconds,
    tokens: sum(en1, TOKENS) - sum(enFirst, TOKENS),
    spend: spendBetween(enFirst, en1),
    requests: sum(gw1, REQUESTS) - sum(first.byService.get('gateway') ?? [], REQUESTS),
    workflows:
      sum(or1, 'workflow_executions_total') -
      sum(first.byService.get('orchestrator') ?? [], 'workflow_executions_total'),
    alerts,
  };
}

const fmt = (v: number | undefined, digits = 1, unit = '') =>
  v === undefined ? '–' : `${v.toFixed(digits)}${unit}`;

/** `$1.23` for USD, `1.23 EUR` otherwise; `$0.00` before any priced call. */
export function formatSpend(spend: ReadonlyMap<string, number>): string {
  if (spend.size === 0) return '$0.00';
  return [...spend]
    .map(([currency, amount]) =>
      currency === 'USD' ? `$${amount.toFixed(2)}` : `${amount.toFixed(2)} ${currency}`,
    )
    .join(' + ');
}

export function formatSummary(s: Summary): string {
  return [
    `[${Math.round(s.seconds)}s]`,
    `req/s ${fmt(s.requestsPerSecond)}`,
    `p95 ${fmt(s.p95Ms, 0, ' ms')}`,
    `errors ${fmt(s.errorPercent, 1, '%')}`,
    `workflow success ${fmt(s.workflowSuccessPercent, 1, '%')}`,
    `queue ${s.queue}`,
    `MAU ${s.mau}`,
    `tokens/s ${fmt(s.tokensPerSecond, 0)}`,
    `spend ${formatSpend(s.spend)}`,
    `firing: ${s.alerts.length ? s.alerts.join(', ') : 'none'}`,
  ].join(' | ');
}
