#!/usr/bin/env node
// `pnpm demo`: the three services, the load generator, and — when installed — a local Prometheus
// and Alertmanager with the repo's rules; a live summary every few seconds. Ctrl-C stops it all.
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { listening } from './ports.js';
import { startLoadgen } from './loadgen.js';
import { startServices, type Services } from './services.js';
import { startLocalStack, type LocalStack } from './stack.js';
import {
  firingAlerts,
  formatSpend,
  formatSummary,
  snapshot,
  summarize,
  type Snapshot,
} from './summary.js';

const HELP = `usage: pnpm demo [--duration S] [--rps N] [--users N] [--interval S] [--no-prometheus]
                 [--error-rate 0..1] [--latency-ms MS] [--queue-stall] [--verbose]`;

function positive(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new TypeError(
      `--${name} must be a number above 0 and at most ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      rps: { type: 'string' },
      users: { type: 'string' },
      interval: { type: 'string' },
      'no-prometheus': { type: 'boolean', default: false },
      'error-rate': { type: 'string' },
      'latency-ms': { type: 'string' },
      'queue-stall': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const durationS =
    values.duration === undefined ? undefined : positive('duration', values.duration, 0, 86_400);
  const rps = positive('rps', values.rps, 20, 500);
  const users = positive('users', values.users, 500, 1_000_000);
  const intervalS = positive('interval', values.interval, 5, 60);
  const verbose = values.verbose === true;
  const log = (line: string) => {
    if (verbose) console.log(line);
  };
  const faultEnv: Record<string, string> = {};
  if (values['error-rate'] !== undefined) faultEnv.FAULT_ERROR_RATE = values['error-rate'];
  if (values['latency-ms'] !== undefined) faultEnv.FAULT_LATENCY_MS = values['latency-ms'];
  if (values['queue-stall']) faultEnv.FAULT_QUEUE_STALL = 'true';

  const jaeger = await listening(4318);
  if (!jaeger) {
    console.log(
      'No Jaeger on 127.0.0.1:4318: traces are dropped and counted (tracing_spans_dropped_total). For Jaeger and Grafana run the compose stack: docker compose -f infra/compose/docker-compose.monitoring.yml up -d',
    );
  }

  let services: Services | undefined;
  let stack: LocalStack | undefined;
  let loadgen: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      if (timer) clearInterval(timer);
      if (loadgen && loadgen.exitCode === null) {
        const exited = new Promise((resolve) => loadgen?.once('exit', resolve));
        loadgen.kill('SIGTERM');
        await exited;
      }
      await services?.stop();
      await stack?.stop();
    })());

  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    console.log('\nstopping…');
    void stopAll();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  try {
    services = await startServices({
      env: { ...faultEnv, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
      log,
    });
    if (!values['no-prometheus']) stack = await startLocalStack({ ports: services.ports, log });
    for (const s of services.list)
      console.log(`${s.name.padEnd(13)} API ${s.apiUrl}   metrics ${s.metricsUrl}`);
    if (stack) {
      console.log(`prometheus    ${stack.prometheusUrl}   (rules from infra/prometheus)`);
      console.log(`alertmanager  ${stack.alertmanagerUrl}`);
    } else if (!values['no-prometheus']) {
      console.log(
        'Prometheus and Alertmanager are not installed, so the demo runs without them: apt-get install -y prometheus prometheus-alertmanager, or the full stack with docker compose -f infra/compose/docker-compose.monitoring.yml up -d',
      );
    }
    if (jaeger) console.log('jaeger        http://127.0.0.1:16686');

    const first = await snapshot(services.list);
    let previous: Snapshot = first;
    let last = summarize(first, first, first, []);
    loadgen = startLoadgen(
      { gateway: services.gatewayUrl, rps, users, durationS: durationS ?? 86_400 },
      (line) => (verbose || line.includes('done') ? console.log(line) : undefined),
    );
    const loadgenDone = new Promise<void>((resolve) => loadgen?.once('exit', () => resolve()));

    await new Promise<void>((resolve) => {
      timer = setInterval(() => {
        void (async () => {
          if (!services) return;
          const current = await snapshot(services.list);
          last = summarize(first, previous, current, await firingAlerts(stack?.prometheusUrl));
          previous = current;
          console.log(formatSummary(last));
          const dead = services.list.find((s) => s.child.exitCode !== null);
          if (dead) {
            console.error(`${dead.name} exited:\n${dead.output()}`);
            resolve();
          }
        })();
      }, intervalS * 1000);
      void loadgenDone.then(resolve);
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const final = summarize(
      first,
      first,
      await snapshot(services.list),
      await firingAlerts(stack?.prometheusUrl),
    );
    console.log(
      `\ndemo summary: ${final.requests} gateway requests, ${final.workflows} workflow executions, MAU ${final.mau}, ${final.tokens} GenAI tokens, spend ${formatSpend(final.spend)}, firing: ${final.alerts.join(', ') || 'none'}`,
    );
    const failed = services.list.some((s) => s.child.exitCode !== null);
    await stopAll();
    return failed && !interrupted ? 1 : 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stopAll();
    return 1;
  }
}

process.exitCode = await main();
