// The seed's API, kept word for word: MetricsService.getInstance() and its record methods.
import { createMetricsHandler as createHandler } from './handler.js';
import { createMetrics } from './metrics.js';
import type {
  Exposition,
  Metrics,
  MetricsFormat,
  MetricsHandler,
  MetricsOptions,
  TokenUsage,
} from './types.js';
import type { ExecutionStatus } from './contract.js';

function defaultServiceName(): string {
  return process.env.OTEL_SERVICE_NAME || process.env.SERVICE_NAME || 'unknown_service:node';
}

/**
 * The seed's singleton facade over {@link createMetrics}, on prom-client's global registry unless
 * the first `getInstance` call says otherwise.
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

  createMetricsHandler(): MetricsHandler {
    return createHandler({ registry: this.metrics.registry });
  }
}
