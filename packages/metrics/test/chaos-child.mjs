// Run by chaos.test.ts in its own process, with Node's defaults: an unhandled rejection or an
// uncaught exception ends it with exit code 1. Prints what each scrape got, as JSON.
import { request } from 'node:http';
import { Gauge, Histogram, Registry } from 'prom-client';
import { createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';

const registry = new Registry();
const metrics = createMetrics({ serviceName: 'chaos', registry });
for (let i = 0; i < 2000; i++) {
  metrics.recordWorkflowExecution(`wf-${i}`, `flow-${i % 40}`, `engine-${i % 30}`, 'success', i);
}
let mode = 'ok';
new Gauge({
  name: 'chaos_gauge',
  help: 'Collected according to the mode.',
  registers: [registry],
  async collect() {
    if (mode === 'throw') throw new Error('collector threw');
    if (mode === 'reject') await Promise.reject(new Error('collector rejected'));
    if (mode === 'hang') await new Promise(() => {});
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 300));
    this.set(1);
  },
});
new Histogram({
  name: 'chaos_seconds',
  help: 'Throws synchronously in its collect while told to.',
  registers: [registry],
  collect() {
    if (mode === 'histogram-throw') throw new Error('histogram collector threw');
  },
});

const results = {};
const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry, timeoutMs: 400 });
try {
  await startMetricsServer({ port: server.port, host: '127.0.0.1', registry });
  results.taken = 'listened twice';
} catch (error) {
  results.taken = error.message;
}

/** Starts a scrape and hangs up after `ms`, mid-collection or mid-body. */
function hangUp(ms) {
  return new Promise((resolve) => {
    const req = request(server.url, (res) => res.once('data', () => req.destroy()));
    req.on('error', () => resolve('aborted'));
    req.on('close', () => resolve('closed'));
    setTimeout(() => req.destroy(), ms);
  });
}

for (const m of ['ok', 'throw', 'reject', 'histogram-throw', 'hang', 'ok']) {
  mode = m;
  const res = await fetch(server.url);
  results[`${results[m] ? 'again-' : ''}${m}`] = `${res.status} ${(await res.text()).slice(0, 40)}`;
}
mode = 'slow';
results.hangUpMidCollect = await hangUp(50);
mode = 'ok';
results.hangUpMidBody = await hangUp(1000);
await new Promise((resolve) => setTimeout(resolve, 500));
const after = await fetch(server.url);
const body = await after.text();
results.after = after.status;
results.counted = body.split('\n').filter((l) => l.startsWith('metrics_scrape_errors_total{'));
await server.close();
await server.close();
// Late rejections of abandoned collections have time to surface (and would crash us here).
await new Promise((resolve) => setTimeout(resolve, 600));
console.log(JSON.stringify(results));
