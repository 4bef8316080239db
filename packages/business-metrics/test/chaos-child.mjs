// A service under load for the chaos and failover suites, on the built package: logins from new users, scrapes of
// /metrics' body, one JSON line per scrape on stdout. Nothing here catches errors: with Node's
// defaults an unhandled rejection or an uncaught exception ends this process with exit code 1.
// stdin "end": stop the load, wait for the counts to catch up, print the final line, close.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createMetrics } from '@ai-orchestrator/metrics';
import { createBusinessMetrics } from '@ai-orchestrator/business-metrics';
import { redisStore } from '@ai-orchestrator/business-metrics/redis';

const config = JSON.parse(process.argv[2] ?? '{}');
const metrics = createMetrics({ serviceName: 'chaos', collectDefaultMetrics: false });
const business = createBusinessMetrics({
  metrics,
  salt: 'chaos',
  // `config.store`: redisStore options as JSON (a Cluster's nodes, a Sentinel setup); else a URL.
  store: redisStore(
    config.store ?? {
      url: config.url,
      redisOptions: config.ca ? { tls: { ca: readFileSync(config.ca) } } : undefined,
    },
  ),
  storeTimeoutMs: config.storeTimeoutMs,
  flushIntervalMs: config.flushIntervalMs,
  cacheTtlMs: config.cacheTtlMs,
  maxBufferedEvents: config.maxBufferedEvents,
});

const warnings = [];
process.on('warning', (w) => {
  if (w.name === 'BusinessMetricsWarning') warnings.push(w.message);
});
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const heapMiB = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

function sample(body, pattern) {
  let sum = 0;
  for (const match of body.matchAll(pattern)) sum += Number(match[1]);
  return sum;
}

let sent = 0;
const load = setInterval(() => {
  for (let i = 0; i < config.usersPerTick; i++) business.recordLogin(`user-${sent++}`);
}, config.loadEveryMs);

async function scrape() {
  const started = performance.now();
  const { body } = await metrics.expose();
  const ms = performance.now() - started;
  const errors = {};
  for (const m of body.matchAll(
    /business_store_errors_total\{service="chaos",operation="(\w+)",reason="(\w+)"\} (\S+)/g,
  )) {
    if (Number(m[3]) > 0) errors[`${m[1]}:${m[2]}`] = Number(m[3]);
  }
  print({
    type: 'scrape',
    ms,
    sent,
    mau: sample(body, /business_active_users\{service="chaos",window="30d"\} (\S+)/g),
    lastSuccess: sample(
      body,
      /business_kpi_last_success_timestamp_seconds\{service="chaos"\} (\S+)/g,
    ),
    errors,
    heapMiB: heapMiB(),
  });
}
const scrapes = setInterval(() => void scrape(), config.scrapeEveryMs);

async function end() {
  clearInterval(load);
  clearInterval(scrapes);
  let metricsText = '';
  let kpis;
  const dropped = () =>
    sample(
      metricsText,
      /business_store_errors_total\{service="chaos",operation="drop",reason="\w+"\} (\S+)/g,
    );
  // Catching up: the buffer drains on the flush timer and on each read.
  for (let round = 0; round < 60; round++) {
    await business.flush();
    kpis = await business.getKpis();
    metricsText = (await metrics.expose()).body;
    const expected = sent - dropped();
    if (!kpis.stale && Math.abs(kpis.mau - expected) <= expected * 0.03) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  print({ type: 'final', sent, dropped: dropped(), kpis, warnings, heapMiB: heapMiB() });
  await business.close();
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'end') void end();
});
