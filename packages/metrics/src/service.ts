// The compatibility API: MetricsService.getInstance() and its positional record methods, kept word
// for word for services written against the first version of this toolkit. Supported, not
// deprecated; new code uses createMetrics() and the object forms.
import { metricsHandlerFor } from './handler.js';
import { createMetrics } from './metrics.js';
import { defaultServiceName } from './service-name.js';
import type {
  Exposition,
  Metrics,
  MetricsFormat,
  MetricsHandler,
  MetricsOptions,
  TokenUsage,
} from './types.js';
import type { ExecutionStatus } from './contract.js';

/**
 * The compatibility API: a singleton facade over {@link createMetrics} with positional record
 * methods, on prom-client's global registry unless the first `getInstance` call says otherwise.
 * Supported alongside `createMetrics()`, which new code should prefer.
 *
 * @example
 * MetricsService.getInstance().recordEngineCall('openai', 'completion', 'success', 830);
 */
export class MetricsService {
  static #instance: MetricsService | undefined;

  /** Durations are milliseconds, as `Date.now()` differences give them. */
  static getInstance(options?: Partial<MetricsOptions>): MetricsService {
    MetricsService.#instance ??= new MetricsService(
      createMetrics({ ...options, serviceName: options?.serviceName ?? defaultServiceName() }),
    );
    return MetricsService.#instance;
  }

  readonly metrics: Metrics;

  constructor(metrics: Metrics) {
    this.metrics = metrics;
  }

  recordWorkflowExecution(
    workflowId: string,
    workflowName: string,
    engineType: string,
    status: ExecutionStatus,
    duration: number,
    userId?: string,
  ): void {
    this.metrics.recordWorkflowExecution(
      workflowId,
      workflowName,
      engineType,
      status,
      duration,
      userId,
    );
  }

  recordEngineCall(
    engineType: string,
    operation: string,
    status: ExecutionStatus,
    duration: number,
  ): void {
    this.metrics.recordEngineCall(engineType, operation, status, duration);
  }

  recordTokens(engineType: string, tokens: TokenUsage): void {
    this.metrics.recordTokens(engineType, tokens);
  }

  setQueueSize(queue: string, size: number): void {
    this.metrics.setQueueSize(queue, size);
  }

  setActiveExecutions(engineType: string, count: number): void {
    this.metrics.setActiveExecutions(engineType, count);
  }

  getMetrics(format?: MetricsFormat): Promise<Exposition> {
    return this.metrics.expose(format);
  }

  /** A Node `(req, res)` handler serving this service's registry (see `createNodeMetricsHandler`). */
  createMetricsHandler(): MetricsHandler {
    return metricsHandlerFor('MetricsService.createMetricsHandler', {
      registry: this.metrics.registry,
    });
  }
}
