// createMetrics: owns every metric of the contract on one registry, registered idempotently, with
// per-label limits and a per-metric series budget shared by every service on that registry.
import { register as globalRegistry } from 'prom-client';
import { CLOSED_LABELS, METRICS, type MetricDefinition } from './contract.js';
import { createEngineRecorder, engineWriter, type EngineInstruments } from './engines.js';
import { render } from './exposition.js';
import { publishRegistry } from './cluster/publisher.js';
import { createHttpRecorder } from './http.js';
import { LabelLimiter, wellFormed } from './labels.js';
import { ensureCounter, ensureGauge, ensureHistogram, isRegistry } from './registry.js';
import { createGenAiRecorder } from './genai/recorder.js';
import type { GenAiRecorder } from './genai/types.js';
import { reportOnce } from './report.js';
import { collectRuntimeMetrics } from './runtime.js';
import { CounterWriter, GaugeWriter, HistogramWriter, SeriesTable } from './series.js';
import { stateOf, type RegistryState } from './state.js';
import { keepTickShape } from './tick-shape.js';
import type { AnyRegistry, LabelLimits, Metrics, MetricsOptions } from './types.js';
import { invalid, requireName, requirePositiveInteger } from './validate.js';
import { createWorkflowRecorder, type Series } from './workflows.js';

const DEFAULT_MAX_LABEL_VALUES = 100;
const DEFAULT_MAX_LABEL_LENGTH = 128;
// prom-client keeps 8 to 15 KB per histogram series (with exemplars): 1000 series bound one
// histogram near 15 MB and its scrape near 17k lines.
const DEFAULT_MAX_SERIES = 1000;
const noop = (): void => {};

function checkLimits(limits: unknown): LabelLimits {
  const where = 'createMetrics';
  if (limits === undefined) return {};
  if (typeof limits !== 'object' || limits === null) {
    throw invalid(where, 'limits', limits, 'an object');
  }
  const given = limits as LabelLimits;
  for (const field of ['maxLabelValues', 'maxLabelValueLength', 'maxSeries'] as const) {
    if (given[field] !== undefined) requirePositiveInteger(where, `limits.${field}`, given[field]);
  }
  for (const field of ['perMetric', 'perMetricSeries'] as const) {
    for (const [name, value] of Object.entries(given[field] ?? {})) {
      requirePositiveInteger(where, `limits.${field}.${name}`, value);
    }
  }
  return given;
}

/**
 * Creates (or returns, on a second call) the metrics of the contract for one service.
 *
 * @example
 * import { createMetrics } from '@ai-orchestrator/metrics';
 * const metrics = createMetrics({ serviceName: 'gateway' });
 * metrics.recordEngineCall('openai', 'completion', 'success', 830);
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const where = 'createMetrics';
  if (typeof options !== 'object' || options === null) {
    throw invalid(where, 'options', options, 'an object with a serviceName');
  }
  const service = wellFormed(requireName(where, 'serviceName', options.serviceName));
  const registry = options.registry ?? (globalRegistry as AnyRegistry);
  if (!isRegistry(registry)) {
    throw invalid(where, 'registry', registry, 'a prom-client Registry');
  }
  const state = stateOf(registry, checkLimits(options.limits));
  const bodySizes = options.httpBodySizes ?? false;
  if (typeof bodySizes !== 'boolean') {
    throw invalid(where, 'httpBodySizes', bodySizes, 'true or false');
  }
  const existing = state.facades.get(service);
  if (existing) return existing;
  // once per process: V8's memory reducer cannot then slow every later nextTick (tick-shape.ts)
  keepTickShape();

  if (options.collectDefaultMetrics !== false) collectRuntimeMetrics(registry, service);
  const metrics = build(registry, service, state, bodySizes);
  state.facades.set(service, metrics);
  // In a cluster worker or a worker thread, the primary's createClusterMetrics() can read it.
  publishRegistry(registry);
  return metrics;
}

/** Label limiters and series tables of one registry, made on first use. */
class Limits {
  readonly #registry: AnyRegistry;
  readonly #state: RegistryState;
  readonly #service: string;
  readonly #labelOverflow: CounterWriter;
  readonly #seriesOverflow: CounterWriter;
  // The overflow counters' own label sets are few (services x metrics x labels): no budget.
  readonly #labelOverflowKeys = new SeriesTable(['service', 'metric', 'label'], [], Infinity, noop);
  readonly #seriesOverflowKeys = new SeriesTable(['service', 'metric'], [], Infinity, noop);

  constructor(registry: AnyRegistry, state: RegistryState, service: string) {
    this.#registry = registry;
    this.#state = state;
    this.#service = service;
    this.#labelOverflow = new CounterWriter(ensureCounter(registry, METRICS.labelOverflow));
    this.#seriesOverflow = new CounterWriter(ensureCounter(registry, METRICS.seriesOverflow));
  }

  label(def: MetricDefinition, label: string): LabelLimiter {
    const id = `${def.name}\u0000${label}`;
    let found = this.#state.limiters.get(id);
    if (!found) {
      const limits = this.#state.limits;
      const max = limits.perMetric?.[def.name] ?? limits.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES;
      const key = this.#labelOverflowKeys.key([this.#service, def.name, label]);
      const counter = this.#labelOverflow;
      const maxLength = limits.maxLabelValueLength ?? DEFAULT_MAX_LABEL_LENGTH;
      found = new LabelLimiter(max, maxLength, () => counter.inc(key, 1));
      this.#state.limiters.set(id, found);
    }
    return found;
  }

  /** The label sets of `def` (and of the metrics sharing its labels). */
  table(def: MetricDefinition): SeriesTable {
    let found = this.#state.tables.get(def.name);
    if (!found) {
      const limits = this.#state.limits;
      const max = limits.perMetricSeries?.[def.name] ?? limits.maxSeries ?? DEFAULT_MAX_SERIES;
      const keep = CLOSED_LABELS.filter((name) => def.labelNames.includes(name));
      const counter = this.#seriesOverflow;
      const keys = this.#seriesOverflowKeys;
      found = new SeriesTable(def.labelNames, keep, max, (service) =>
        counter.inc(keys.key([service, def.name]), 1),
      );
      this.#state.tables.set(def.name, found);
    }
    return found;
  }

  counter(def: MetricDefinition): Series<CounterWriter> {
    return {
      writer: new CounterWriter(ensureCounter(this.#registry, def)),
      table: this.table(def),
    };
  }

  gauge(def: MetricDefinition): Series<GaugeWriter> {
    return { writer: new GaugeWriter(ensureGauge(this.#registry, def)), table: this.table(def) };
  }

  histogram(def: MetricDefinition, exemplars = false): HistogramWriter {
    return new HistogramWriter(ensureHistogram(this.#registry, def, exemplars));
  }
}

function build(
  registry: AnyRegistry,
  service: string,
  state: RegistryState,
  bodySizes: boolean,
): Metrics {
  const limits = new Limits(registry, state, service);
  ensureCounter(registry, METRICS.scrapeErrors);
  const http = createHttpRecorder({
    service,
    duration: ensureHistogram(registry, METRICS.httpServerRequestDuration, true),
    active: ensureGauge(registry, METRICS.httpServerActiveRequests),
    // Opt-in, as in the OpenTelemetry HTTP conventions: not registered unless asked for.
    sizes: bodySizes
      ? {
          request: ensureHistogram(registry, METRICS.httpServerRequestBodySize),
          response: ensureHistogram(registry, METRICS.httpServerResponseBodySize),
        }
      : undefined,
    // The size histograms share the duration's label sets: one limiter and one table serve all.
    routes: limits.label(METRICS.httpServerRequestDuration, 'http_route'),
    series: limits.table(METRICS.httpServerRequestDuration),
    activeSeries: limits.table(METRICS.httpServerActiveRequests),
    report: reportOnce,
  });
  const workflows = createWorkflowRecorder({
    service,
    executions: limits.counter(METRICS.workflowExecutions),
    duration: limits.histogram(METRICS.workflowExecutionDuration, true),
    active: limits.gauge(METRICS.workflowExecutionsActive),
    queue: limits.gauge(METRICS.workflowQueueSize),
    names: limits.label(METRICS.workflowExecutions, 'workflow_name'),
    engines: limits.label(METRICS.workflowExecutions, 'engine_type'),
    activeEngines: limits.label(METRICS.workflowExecutionsActive, 'engine_type'),
    queues: limits.label(METRICS.workflowQueueSize, 'queue'),
  });
  const engineInstruments: EngineInstruments = {
    service,
    calls: limits.counter(METRICS.engineCalls),
    duration: limits.histogram(METRICS.engineCallDuration, true),
    tokens: limits.counter(METRICS.engineTokens),
    engines: limits.label(METRICS.engineCalls, 'engine_type'),
    operations: limits.label(METRICS.engineCalls, 'operation'),
    tokenEngines: limits.label(METRICS.engineTokens, 'engine_type'),
  };
  const engines = createEngineRecorder(engineInstruments);
  // GenAI metrics are registered on first use; one call feeds them and the engine_* metrics.
  let genai: GenAiRecorder | undefined;
  return {
    serviceName: service,
    registry,
    http,
    ...workflows,
    ...engines,
    get genai(): GenAiRecorder {
      genai ??= createGenAiRecorder({
        limits,
        service,
        engine: engineWriter(engineInstruments),
        report: reportOnce,
      });
      return genai;
    },
    expose: (format = 'text') => render(registry, format),
  };
}
