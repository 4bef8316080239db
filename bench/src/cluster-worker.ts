// One cluster worker of the cluster scrape benchmark: `series` label sets of the contract's
// request-duration histogram recorded through our HTTP recorder (each with an exemplar), read by
// both our publisher (createMetrics installs it) and prom-client's AggregatorRegistry listener.
// The runner tells it to move every series, to start watching its event loop, and to report.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { createMetrics } from '@ai-orchestrator/metrics';
import type * as PromClient from 'prom-client';

// The same prom-client instance our packages use.
const prom = createRequire(import.meta.url)('prom-client') as typeof PromClient;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const traceIds = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' };

const series = Number(process.env.BENCH_SERIES ?? 10_000);
const registry = new prom.Registry();
const metrics = createMetrics({
  serviceName: 'bench',
  registry,
  collectDefaultMetrics: false,
  limits: { maxLabelValues: series + 10, maxSeries: series + 10 },
});
prom.AggregatorRegistry.setRegistries([registry]);
// Its constructor installs the worker's listener for the primary's requests.
new prom.AggregatorRegistry();

/** Every series moves: nothing but the label sets can be reused between scrapes. */
function touch(): void {
  for (let i = 0; i < series; i++) {
    metrics.http.start(METHODS[i % METHODS.length] as string).end({
      route: `/tenants/${i}/items/:id`,
      statusCode: i % 10 === 0 ? 500 : 200,
      traceIds,
    });
  }
}

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let cpu = process.cpuUsage();

interface Command {
  readonly bench?: 'touch' | 'watch' | 'report';
}

process.on('message', (message: Command) => {
  if (message.bench === 'touch') {
    touch();
    process.send?.({ bench: 'touched' });
  } else if (message.bench === 'watch') {
    delay.reset();
    cpu = process.cpuUsage();
    process.send?.({ bench: 'watching' });
  } else if (message.bench === 'report') {
    const used = process.cpuUsage(cpu);
    process.send?.({
      bench: 'report',
      stallMs: delay.max / 1e6,
      cpuMs: (used.user + used.system) / 1000,
    });
  }
});

touch();
process.send?.({ bench: 'ready' });
