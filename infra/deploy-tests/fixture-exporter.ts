// A small exporter for the live-stack tests: contract metrics made by the real
// @ai-orchestrator/metrics package, served by its own metrics server on 127.0.0.1, with a steady
// trickle of traffic so the recording rules have rates to compute.
import { METRICS, createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';
import { ensureGauge } from '@ai-orchestrator/metrics/adapter';
import { Registry } from 'prom-client';

export interface FixtureExporter {
  readonly service: string;
  readonly port: number;
  /** host:port, as a Prometheus target. */
  readonly target: string;
  /** Changes the share of requests answered 500 from now on (an injected error spike). */
  setErrorRatio(ratio: number): void;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  readonly service: string;
  /** Share of requests answered 500 (0 to 1). */
  readonly errorRatio?: number;
  readonly intervalMs?: number;
}

/** Starts an exporter whose service sees requests, workflows and the business KPIs. */
export async function startFixtureExporter(options: FixtureOptions): Promise<FixtureExporter> {
  const registry = new Registry();
  const metrics = createMetrics({
    serviceName: options.service,
    registry,
    collectDefaultMetrics: false,
  });
  const service = options.service;
  ensureGauge(registry, METRICS.businessActiveUsers).set({ service, window: '1d' }, 120);
  ensureGauge(registry, METRICS.businessActiveUsers).set({ service, window: '7d' }, 480);
  ensureGauge(registry, METRICS.businessActiveUsers).set({ service, window: '30d' }, 1234);
  ensureGauge(registry, METRICS.businessMonthlyRecurringRevenue).set(
    { service, currency: 'USD' },
    4200,
  );

  let errorEvery = 0;
  const setErrorRatio = (ratio: number): void => {
    if (!(ratio >= 0 && ratio <= 1))
      throw new RangeError(`errorRatio must be 0 to 1, got ${ratio}`);
    errorEvery = ratio > 0 ? Math.round(1 / ratio) : 0;
  };
  setErrorRatio(options.errorRatio ?? 0);
  let count = 0;
  const tick = (): void => {
    count += 1;
    const failed = errorEvery > 0 && count % errorEvery === 0;
    metrics.http.start('GET').end({ route: '/v1/workflows/:id', statusCode: failed ? 500 : 200 });
    metrics.recordWorkflowExecution({
      workflowName: 'summarize',
      engineType: 'openai',
      status: 'success',
      durationMs: 120,
    });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? 20);
  timer.unref();

  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
  return {
    service,
    port: server.port,
    target: `127.0.0.1:${server.port}`,
    setErrorRatio,
    async stop() {
      clearInterval(timer);
      await server.close();
    },
  };
}
