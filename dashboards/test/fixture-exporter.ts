// A loopback exporter for the live dashboard test: /metrics is what the real
// @ai-orchestrator/metrics package exposes for a service under a little traffic, with business
// KPIs registered from the contract; /node is a node-exporter-format page for one host.
// Every scrape records a few more events, so rates and ratios have something to compute.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import {
  type Metrics,
  createMetrics,
  createNodeMetricsHandler,
  METRICS,
} from '@ai-orchestrator/metrics';
import { ensureCounter, ensureGauge, ensureHistogram } from '@ai-orchestrator/metrics/adapter';
import { Registry } from 'prom-client';

export const SERVICE = 'fixture-api';

export interface FixtureExporter {
  readonly host: string;
  close(): Promise<void>;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function record(registry: Registry, round: number): void {
  const metrics = createMetrics({ serviceName: SERVICE, registry });
  const s = { service: SERVICE };
  // HTTP: two routes, one with 5xx answers; exemplars carry the trace ids a span would give.
  for (const [route, status] of [
    ['/users/:id', 200],
    ['/users/:id', 200],
    ['/workflows/:id/run', 200],
    ['/workflows/:id/run', 500],
  ] as const) {
    metrics.http
      .start(route.startsWith('/users') ? 'GET' : 'POST')
      .end({ route, statusCode: status, traceIds: { trace_id: hex(16), span_id: hex(8) } });
  }
  if (round === 0) metrics.http.start('GET'); // one request stays in flight

  for (const [name, status, ms] of [
    ['summarize', 'success', 1200],
    ['summarize', 'failure', 4000],
    ['classify', 'success', 300],
    ['classify', 'timeout', 30_000],
  ] as const) {
    metrics.recordWorkflowExecution({
      workflowName: name,
      engineType: 'openai',
      status,
      durationMs: ms,
    });
  }
  metrics.recordEngineCall('openai', 'completion', 'success', 850);
  metrics.recordEngineCall('anthropic', 'completion', 'failure', 2100);
  metrics.recordTokens('openai', { input: 420, output: 96 });
  metrics.recordTokens('anthropic', { input: 300, output: 80 });
  recordGenAi(metrics, round);
  metrics.setQueueSize('default', 12 + (round % 5));
  metrics.setActiveExecutions('openai', 3);

  // Business KPIs, as @ai-orchestrator/business-metrics registers them from the contract.
  const users = ensureGauge(registry, METRICS.businessActiveUsers);
  users.set({ ...s, window: '1d' }, 1250);
  users.set({ ...s, window: '7d' }, 4100);
  users.set({ ...s, window: '30d' }, 9800);
  ensureGauge(registry, METRICS.businessMonthlyRecurringRevenue).set(
    { ...s, currency: 'USD' },
    48_500,
  );
  ensureCounter(registry, METRICS.businessUserLogins).inc(s, 3);
  ensureCounter(registry, METRICS.businessWorkflowsCreated).inc(s, 1);
  const api = ensureCounter(registry, METRICS.businessApiRequests);
  api.inc({ ...s, plan: 'free' }, 5);
  api.inc({ ...s, plan: 'pro' }, 12);
  const csat = ensureHistogram(registry, METRICS.businessCustomerSatisfaction);
  csat.observe(s, 4);
  csat.observe(s, 5);
  if (round % 3 === 0) csat.observe(s, 2);
  ensureCounter(registry, METRICS.businessStoreErrors).inc({ ...s, operation: 'pfcount' }, 0);
  if (round % 4 === 0)
    ensureCounter(registry, METRICS.businessStoreErrors).inc({ ...s, operation: 'pfadd' });
  ensureGauge(registry, METRICS.businessKpiLastSuccess).set(s, Date.now() / 1000);
}

const PRICES = {
  currency: 'USD',
  version: 'fixture',
  models: [
    {
      provider: 'openai',
      model: 'gpt-4o-mini',
      input: 0.15,
      output: 0.6,
      cacheRead: 0.075,
      cacheWrite: 0.15,
    },
    {
      provider: 'anthropic',
      model: 'claude-fixture',
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    },
  ],
};

/** GenAI calls as the instrumented SDKs record them: streams, errors, spend, tools and agents. */
function recordGenAi(metrics: Metrics, round: number): void {
  const genai = metrics.genai;
  if (round === 0) genai.setPrices(PRICES);
  const server = { serverAddress: 'api.openai.com', serverPort: 443 };
  const openai = { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', ...server };
  genai.withWorkflow('summarize', () => {
    const stream = genai.startCall({ ...openai, stream: true });
    for (let i = 0; i < 5; i++) stream.chunk();
    stream.end({
      responseModel: 'gpt-4o-mini-2024-07-18',
      finishReasons: ['stop'],
      usage: { input: 1200, output: 300, cacheRead: 400, cacheWrite: 100, reasoning: 50 },
    });
    genai.startCall(openai).fail(Object.assign(new Error('rate limited'), { status: 429 }));
    if (round % 2 === 0)
      genai.startCall(openai).fail(Object.assign(new Error('boom'), { status: 500 }));
    genai
      .startCall({ ...openai, requestModel: 'gpt-unpriced' })
      .end({ usage: { input: 10, output: 5 } });
  });
  genai.withWorkflow('classify', () => {
    genai
      .startCall({ provider: 'anthropic', operation: 'chat', requestModel: 'claude-fixture' })
      .end({
        responseModel: 'claude-fixture',
        finishReasons: ['end_turn'],
        usage: { input: 800, output: 120 },
      });
  });
  const agent = genai.startAgent({ name: 'planner', requestModel: 'gpt-4o-mini' });
  agent.run(() => genai.startTool({ name: 'get_weather', type: 'function' }).end());
  agent.end();
}

/** node-exporter's format for one host: two cores, memory, a root filesystem and saturation. */
function nodePage(round: number): string {
  const idle = 100 + round * 1.4;
  const user = 50 + round * 0.6;
  return [
    '# TYPE node_cpu_seconds_total counter',
    `node_cpu_seconds_total{cpu="0",mode="idle"} ${idle}`,
    `node_cpu_seconds_total{cpu="0",mode="user"} ${user}`,
    `node_cpu_seconds_total{cpu="1",mode="idle"} ${idle + 3}`,
    `node_cpu_seconds_total{cpu="1",mode="user"} ${user - 3}`,
    '# TYPE node_memory_MemAvailable_bytes gauge',
    `node_memory_MemAvailable_bytes ${6e9 - round * 1e6}`,
    '# TYPE node_memory_MemTotal_bytes gauge',
    'node_memory_MemTotal_bytes 16e9',
    '# TYPE node_filesystem_avail_bytes gauge',
    `node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} ${40e9 - round * 1e6}`,
    'node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1e9',
    '# TYPE node_filesystem_size_bytes gauge',
    'node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 100e9',
    'node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 2e9',
    // Saturation: load, major faults, drops on a real interface and on loopback, disk I/O time.
    '# TYPE node_load1 gauge',
    `node_load1 ${1.5 + (round % 3) * 0.25}`,
    '# TYPE node_vmstat_pgmajfault untyped',
    `node_vmstat_pgmajfault ${2000 + round * 7}`,
    '# TYPE node_network_receive_drop_total counter',
    `node_network_receive_drop_total{device="eth0"} ${round * 3}`,
    `node_network_receive_drop_total{device="lo"} ${round * 1000}`,
    '# TYPE node_network_transmit_drop_total counter',
    `node_network_transmit_drop_total{device="eth0"} ${round}`,
    'node_network_transmit_drop_total{device="lo"} 0',
    '# TYPE node_disk_io_time_seconds_total counter',
    `node_disk_io_time_seconds_total{device="sda"} ${300 + round * 0.4}`,
    '',
  ].join('\n');
}

/** Starts the exporter on 127.0.0.1 and a free port. */
export async function startFixtureExporter(): Promise<FixtureExporter> {
  const registry = new Registry();
  const handler = createNodeMetricsHandler({ registry });
  let metricsRound = 0;
  let nodeRound = 0;
  record(registry, metricsRound++);
  const server: Server = createServer((req, res) => {
    if (req.url === '/node') {
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(nodePage(nodeRound++));
      return;
    }
    record(registry, metricsRound++);
    handler(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
