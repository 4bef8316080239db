// createMetrics: owns every metric of the contract on one registry, registered idempotently.
import { collectDefaultMetrics, register as globalRegistry } from 'prom-client';
import {
  EXECUTION_STATUSES,
  METRICS,
  type ExecutionStatus,
  type MetricDefinition,
} from './contract.js';
import { activeTraceIds, annotateActiveSpan, exemplarLabels } from './exemplars.js';
import { render } from './exposition.js';
import { createHttpRecorder } from './http.js';
import { LabelLimiter } from './labels.js';
import { observe } from './observe.js';
import { ensureCounter, ensureGauge, ensureHistogram } from './registry.js';
import type {
  AnyRegistry,
  EngineCall,
  LabelLimits,
  Metrics,
  MetricsOptions,
  TokenUsage,
  WorkflowExecution,
} from './types.js';
import {
  invalid,
  optionalName,
  requireName,
  requireNonNegative,
  requireNonNegativeInteger,
  requireOneOf,
  requirePositiveInteger,
} from './validate.js';

const DEFAULT_MAX_LABEL_VALUES = 100;
const DEFAULT_MAX_LABEL_LENGTH = 128;

/** Per-registry state shared by every createMetrics call on it. */
interface RegistryState {
  readonly limiters: Map<string, LabelLimiter>;
  readonly facades: Map<string, Metrics>;
  readonly limits: LabelLimits;
}

const states = new WeakMap<AnyRegistry, RegistryState>();

let reportedOnce = false;
function reportOnce(error: unknown): void {
  // One line per process: a broken recorder must not flood the logs of the service it observes.
  if (reportedOnce) return;
  reportedOnce = true;
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`@ai-orchestrator/metrics: recording failed: ${message}`, 'MetricsWarning');
}

function checkLimits(limits: unknown): LabelLimits {
  const where = 'createMetrics';
  if (limits === undefined) return {};
  if (typeof limits !== 'object' || limits === null) {
    throw invalid(where, 'limits', limits, 'an object');
  }
  const l = limits as LabelLimits;
  if (l.maxLabelValues !== undefined) {
    requirePositiveInteger(where, 'limits.maxLabelValues', l.maxLabelValues);
  }
  if (l.maxLabelValueLength !== undefined) {
    requirePositiveInteger(where, 'limits.maxLabelValueLength', l.maxLabelValueLength);
  }
  for (const [name, value] of Object.entries(l.perMetric ?? {})) {
    requirePositiveInteger(where, `limits.perMetric.${name}`, value);
  }
  return l;
}

function isRegistry(value: unknown): value is AnyRegistry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyRegistry).registerMetric === 'function' &&
    typeof (value as AnyRegistry).getSingleMetric === 'function'
  );
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
  const service = requireName(where, 'serviceName', options.serviceName);
  const registry = options.registry ?? (globalRegistry as AnyRegistry);
  if (!isRegistry(registry)) {
    throw invalid(where, 'registry', registry, 'a prom-client Registry');
  }
  const limits = checkLimits(options.limits);

  let state = states.get(registry);
  if (!state) {
    state = { limiters: new Map(), facades: new Map(), limits };
    states.set(registry, state);
  }
  const existing = state.facades.get(service);
  if (existing) return existing;

  if (
    options.collectDefaultMetrics !== false &&
    !registry.getSingleMetric('process_cpu_user_seconds_total')
  ) {
    collectDefaultMetrics({ register: registry, labels: { service } });
  }

  const metrics = build(registry, service, state);
  state.facades.set(service, metrics);
  return metrics;
}

function build(registry: AnyRegistry, service: string, state: RegistryState): Metrics {
  const overflow = ensureCounter(registry, METRICS.labelOverflow);
  const maxLength = state.limits.maxLabelValueLength ?? DEFAULT_MAX_LABEL_LENGTH;

  const limiter = (def: MetricDefinition, label: string): LabelLimiter => {
    const key = `${def.name}\u0000${label}`;
    let found = state.limiters.get(key);
    if (!found) {
      const max =
        state.limits.perMetric?.[def.name] ??
        state.limits.maxLabelValues ??
        DEFAULT_MAX_LABEL_VALUES;
      found = new LabelLimiter(max, maxLength, () =>
        overflow.inc({ service, metric: def.name, label }),
      );
      state.limiters.set(key, found);
    }
    return found;
  };

  const http = createHttpRecorder({
    service,
    duration: ensureHistogram(registry, METRICS.httpServerRequestDuration, true),
    active: ensureGauge(registry, METRICS.httpServerActiveRequests),
    requestSize: ensureHistogram(registry, METRICS.httpServerRequestBodySize),
    responseSize: ensureHistogram(registry, METRICS.httpServerResponseBodySize),
    // The size histograms share the duration's label sets, so one route limiter serves all three.
    routes: limiter(METRICS.httpServerRequestDuration, 'http_route'),
    report: reportOnce,
  });

  const executions = ensureCounter(registry, METRICS.workflowExecutions);
  const executionDuration = ensureHistogram(registry, METRICS.workflowExecutionDuration, true);
  const activeExecutions = ensureGauge(registry, METRICS.workflowExecutionsActive);
  const queueSize = ensureGauge(registry, METRICS.workflowQueueSize);
  const engineCalls = ensureCounter(registry, METRICS.engineCalls);
  const engineDuration = ensureHistogram(registry, METRICS.engineCallDuration, true);
  const tokens = ensureCounter(registry, METRICS.engineTokens);

  const workflowName = limiter(METRICS.workflowExecutions, 'workflow_name');
  const workflowEngine = limiter(METRICS.workflowExecutions, 'engine_type');
  const activeEngine = limiter(METRICS.workflowExecutionsActive, 'engine_type');
  const queueName = limiter(METRICS.workflowQueueSize, 'queue');
  const callEngine = limiter(METRICS.engineCalls, 'engine_type');
  const callOperation = limiter(METRICS.engineCalls, 'operation');
  const tokenEngine = limiter(METRICS.engineTokens, 'engine_type');

  function recordWorkflowExecution(
    first: WorkflowExecution | string,
    ...rest: [string?, string?, ExecutionStatus?, number?, string?]
  ): void {
    const where = 'recordWorkflowExecution';
    const e: WorkflowExecution =
      typeof first === 'object' && first !== null ? first : positionalWorkflow(first, rest);
    const workflowId = optionalName(where, 'workflowId', e.workflowId);
    const name = requireName(where, 'workflowName', e.workflowName);
    const engine = requireName(where, 'engineType', e.engineType);
    const status = requireOneOf(where, 'status', e.status, EXECUTION_STATUSES);
    const durationMs = requireNonNegative(where, 'durationMs', e.durationMs);
    optionalName(where, 'userId', e.userId);

    const labels = {
      service,
      workflow_name: workflowName.admit(name),
      engine_type: workflowEngine.admit(engine),
      status,
    };
    executions.inc(labels);
    const extra = workflowId ? { workflow_id: workflowId } : undefined;
    observe(executionDuration, labels, durationMs / 1000, exemplarLabels(activeTraceIds(), extra));
    if (workflowId) annotateActiveSpan({ 'workflow.id': workflowId, 'workflow.name': name });
  }

  function positionalWorkflow(
    workflowId: unknown,
    rest: [string?, string?, ExecutionStatus?, number?, string?],
  ): WorkflowExecution {
    const where = 'recordWorkflowExecution';
    const id = requireName(where, 'workflowId', workflowId);
    const [workflowName, engineType, status, durationMs, userId] = rest;
    return {
      workflowId: id,
      workflowName: workflowName as string,
      engineType: engineType as string,
      status: status as ExecutionStatus,
      durationMs: durationMs as number,
      ...(userId === undefined ? {} : { userId }),
    };
  }

  function recordEngineCall(
    first: EngineCall | string,
    operation?: string,
    status?: ExecutionStatus,
    durationMs?: number,
  ): void {
    const where = 'recordEngineCall';
    const c: EngineCall =
      typeof first === 'object' && first !== null
        ? first
        : {
            engineType: first,
            operation: operation as string,
            status: status as ExecutionStatus,
            durationMs: durationMs as number,
          };
    const engine = requireName(where, 'engineType', c.engineType);
    const op = requireName(where, 'operation', c.operation);
    const st = requireOneOf(where, 'status', c.status, EXECUTION_STATUSES);
    const ms = requireNonNegative(where, 'durationMs', c.durationMs);
    if (c.tokens !== undefined) checkTokens(where, c.tokens);

    const labels = {
      service,
      engine_type: callEngine.admit(engine),
      operation: callOperation.admit(op),
      status: st,
    };
    engineCalls.inc(labels);
    observe(engineDuration, labels, ms / 1000, exemplarLabels(activeTraceIds()));
    if (c.tokens !== undefined) addTokens(engine, c.tokens);
  }

  function checkTokens(where: string, usage: TokenUsage): void {
    if (typeof usage !== 'object' || usage === null) {
      throw invalid(where, 'tokens', usage, 'an object { input?, output? }');
    }
    if (usage.input !== undefined) requireNonNegativeInteger(where, 'tokens.input', usage.input);
    if (usage.output !== undefined) requireNonNegativeInteger(where, 'tokens.output', usage.output);
  }

  function addTokens(engine: string, usage: TokenUsage): void {
    const engineLabel = tokenEngine.admit(engine);
    if (usage.input)
      tokens.inc({ service, engine_type: engineLabel, token_type: 'input' }, usage.input);
    if (usage.output) {
      tokens.inc({ service, engine_type: engineLabel, token_type: 'output' }, usage.output);
    }
  }

  return {
    serviceName: service,
    registry,
    http,
    recordWorkflowExecution: recordWorkflowExecution as Metrics['recordWorkflowExecution'],
    recordEngineCall: recordEngineCall as Metrics['recordEngineCall'],
    recordTokens(engineType: string, usage: TokenUsage): void {
      const where = 'recordTokens';
      const engine = requireName(where, 'engineType', engineType);
      checkTokens(where, usage);
      addTokens(engine, usage);
    },
    setQueueSize(queue: string, size: number): void {
      const where = 'setQueueSize';
      const name = requireName(where, 'queue', queue);
      requireNonNegative(where, 'size', size);
      queueSize.set({ service, queue: queueName.admit(name) }, size);
    },
    setActiveExecutions(engineType: string, count: number): void {
      const where = 'setActiveExecutions';
      const engine = requireName(where, 'engineType', engineType);
      requireNonNegative(where, 'count', count);
      activeExecutions.set({ service, engine_type: activeEngine.admit(engine) }, count);
    },
    startExecution(engineType: string): () => void {
      const engine = requireName('startExecution', 'engineType', engineType);
      const labels = { service, engine_type: activeEngine.admit(engine) };
      activeExecutions.inc(labels);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        activeExecutions.dec(labels);
      };
    },
    expose: (format = 'text') => render(registry, format),
  };
}
