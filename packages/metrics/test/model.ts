// A model of what the record APIs must expose: every sample (name and labels) with its value,
// written from the documented rules (well-formed values cut to a length, per-label limits,
// per-metric series budgets, overflow series and counters), not from the implementation.
import { createHash } from 'node:crypto';
import { HTTP_METHODS, type ExecutionStatus } from '../src/contract.js';

export type Op =
  | { kind: 'wf'; name: string; engine: string; status: ExecutionStatus; ms: number; id?: string }
  | {
      kind: 'call';
      engine: string;
      op: string;
      status: ExecutionStatus;
      ms: number;
      tokens?: { input: number; output: number };
    }
  | { kind: 'tokens'; engine: string; input: number; output: number }
  | { kind: 'queue'; queue: string; size: number }
  | { kind: 'active'; engine: string; count: number }
  | { kind: 'start'; engine: string; end: boolean }
  | { kind: 'http'; method: string; route?: string; status: number; res?: number }
  /** A write by someone else through prom-client's own API, with comma-free well-formed values. */
  | { kind: 'public'; name: string; engine: string; status: ExecutionStatus; n: number };

export interface Limits {
  readonly maxLabelValues: number;
  readonly maxSeries: number;
  readonly maxLength: number;
}

const OVERFLOW = '__overflow__';
const RESERVED = new Set(['__unmatched__', OVERFLOW]);

/**
 * The value a label gets: one over `max` UTF-16 units is cut (no half pair) to make room for `~`
 * and 12 hex digits of the whole value's SHA-256 (only cut when `max` is 13 or less); lone
 * surrogates become U+FFFD.
 */
export function normalize(raw: string, max: number): string {
  let cut = raw;
  if (raw.length > max) {
    const room = max > 13 ? max - 13 : max;
    cut = raw.slice(0, room);
    const last = cut.charCodeAt(room - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
    if (max > 13) cut += `~${createHash('sha256').update(raw).digest('hex').slice(0, 12)}`;
  }
  let out = '';
  for (let i = 0; i < cut.length; i++) {
    const c = cut.charCodeAt(i);
    const next = cut.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += cut[i]! + cut[i + 1]!;
      i++;
    } else out += c >= 0xd800 && c <= 0xdfff ? '\uFFFD' : cut[i]!;
  }
  return out;
}

export const sampleId = (name: string, labels: Record<string, string>): string =>
  `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;

export class Model {
  readonly samples = new Map<string, number>();
  readonly #seen = new Map<string, Set<string>>();
  readonly #tables = new Map<string, Set<string>>();
  readonly #methods = new Map<string, string[]>();
  readonly #service: string;
  readonly #limits: Limits;

  constructor(service: string, limits: Limits) {
    this.#service = service;
    this.#limits = limits;
  }

  #add(name: string, labels: Record<string, string>, delta: number): void {
    const id = sampleId(name, labels);
    this.samples.set(id, (this.samples.get(id) ?? 0) + delta);
  }

  #set(name: string, labels: Record<string, string>, value: number): void {
    this.samples.set(sampleId(name, labels), value);
  }

  #label(metric: string, label: string, raw: string): string {
    const value = normalize(raw, this.#limits.maxLength);
    const seen = this.#seen.get(`${metric}/${label}`) ?? new Set<string>();
    this.#seen.set(`${metric}/${label}`, seen);
    if (seen.has(value) || RESERVED.has(value)) return value;
    if (seen.size < this.#limits.maxLabelValues) {
      seen.add(value);
      return value;
    }
    this.#add('metrics_label_overflow_total', { service: this.#service, metric, label }, 1);
    return OVERFLOW;
  }

  /** The label set a write lands on: itself within the budget, else the overflow series. */
  #series(metric: string, names: string[], values: string[], keep: string[]) {
    const table = this.#tables.get(metric) ?? new Set<string>();
    this.#tables.set(metric, table);
    let chosen = values;
    const id = JSON.stringify(values);
    if (!table.has(id)) {
      if (table.size < this.#limits.maxSeries) table.add(id);
      else {
        this.#add('metrics_series_overflow_total', { service: this.#service, metric }, 1);
        chosen = values.map((v, i) => (i === 0 || keep.includes(names[i]!) ? v : OVERFLOW));
      }
    }
    return Object.fromEntries(names.map((n, i) => [n, chosen[i]!]));
  }

  #histogram(name: string, labels: Record<string, string>, value: number, sum = true): void {
    this.#add(`${name}_count`, labels, 1);
    if (sum) this.#add(`${name}_sum`, labels, value);
  }

  #tokens(raw: string, input: number, output: number): void {
    const engine = this.#label('engine_tokens_total', 'engine_type', raw);
    const names = ['service', 'engine_type', 'token_type'];
    for (const [type, n] of [
      ['input', input],
      ['output', output],
    ] as const) {
      if (!n) continue;
      const labels = this.#series(
        'engine_tokens_total',
        names,
        [this.#service, engine, type],
        ['token_type'],
      );
      this.#add('engine_tokens_total', labels, n);
    }
  }

  #active(raw: string): Record<string, string> {
    const engine = this.#label('workflow_executions_active', 'engine_type', raw);
    return this.#series(
      'workflow_executions_active',
      ['service', 'engine_type'],
      [this.#service, engine],
      [],
    );
  }

  #httpActive(method: string): Record<string, string> {
    const names = ['service', 'http_request_method'];
    // The recorder keeps one key per method: the budget is asked once per method.
    let values = this.#methods.get(method);
    if (!values) {
      const labels = this.#series(
        'http_server_active_requests',
        names,
        [this.#service, method],
        ['http_request_method'],
      );
      values = names.map((n) => labels[n]!);
      this.#methods.set(method, values);
    }
    return Object.fromEntries(names.map((n, i) => [n, values![i]!]));
  }

  apply(op: Op): void {
    const s = this.#service;
    switch (op.kind) {
      case 'wf': {
        const names = ['service', 'workflow_name', 'engine_type', 'status'];
        const values = [
          s,
          this.#label('workflow_executions_total', 'workflow_name', op.name),
          this.#label('workflow_executions_total', 'engine_type', op.engine),
          op.status,
        ];
        const labels = this.#series('workflow_executions_total', names, values, ['status']);
        this.#add('workflow_executions_total', labels, 1);
        this.#histogram('workflow_execution_duration_seconds', labels, op.ms / 1000);
        return;
      }
      case 'call': {
        const names = ['service', 'engine_type', 'operation', 'status'];
        const values = [
          s,
          this.#label('engine_calls_total', 'engine_type', op.engine),
          this.#label('engine_calls_total', 'operation', op.op),
          op.status,
        ];
        const labels = this.#series('engine_calls_total', names, values, ['status']);
        this.#add('engine_calls_total', labels, 1);
        this.#histogram('engine_call_duration_seconds', labels, op.ms / 1000);
        if (op.tokens) this.#tokens(op.engine, op.tokens.input, op.tokens.output);
        return;
      }
      case 'tokens':
        return this.#tokens(op.engine, op.input, op.output);
      case 'queue': {
        const queue = this.#label('workflow_queue_size', 'queue', op.queue);
        const labels = this.#series('workflow_queue_size', ['service', 'queue'], [s, queue], []);
        return this.#set('workflow_queue_size', labels, op.size);
      }
      case 'active':
        return this.#set('workflow_executions_active', this.#active(op.engine), op.count);
      case 'start': {
        const labels = this.#active(op.engine);
        this.#add('workflow_executions_active', labels, op.end ? 0 : 1);
        return;
      }
      case 'public':
        this.#add(
          'workflow_executions_total',
          { service: s, workflow_name: op.name, engine_type: op.engine, status: op.status },
          op.n,
        );
        return;
      case 'http':
        return this.#http(op);
    }
  }

  #http(op: Extract<Op, { kind: 'http' }>): void {
    const upper = op.method.toUpperCase();
    const method = (HTTP_METHODS as readonly string[]).includes(op.method)
      ? op.method
      : (HTTP_METHODS as readonly string[]).includes(upper)
        ? upper
        : '_OTHER';
    this.#add('http_server_active_requests', this.#httpActive(method), 0);
    const route =
      op.route === undefined || op.route === ''
        ? '__unmatched__'
        : this.#label('http_server_request_duration_seconds', 'http_route', op.route);
    const status =
      Number.isInteger(op.status) && op.status >= 100 && op.status <= 599
        ? String(op.status)
        : '_OTHER';
    const names = ['service', 'http_request_method', 'http_route', 'http_response_status_code'];
    const labels = this.#series(
      'http_server_request_duration_seconds',
      names,
      [this.#service, method, route, status],
      ['http_request_method'],
    );
    // The duration is the clock's: its count is modelled, its sum is not.
    this.#histogram('http_server_request_duration_seconds', labels, 0, false);
    this.#histogram('http_server_request_body_size_bytes', labels, 0);
    if (op.res !== undefined)
      this.#histogram('http_server_response_body_size_bytes', labels, op.res);
  }
}
