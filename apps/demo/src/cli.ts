#!/usr/bin/env node
// `pnpm demo`: the three services, the load generator, and — when the binaries are there — a local
// Prometheus, Alertmanager and Jaeger with the repo's config; a live summary every few seconds.
// Ctrl-C (or --duration) stops the load, prints the final summary, then stops everything.
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import type { JaegerServer } from '@ai-orchestrator/testkit';
import { startLocalJaeger } from './jaeger.js';
import { startLoadgen } from './loadgen.js';
import { listening } from './ports.js';
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

interface DemoOptions {
  readonly durationS: number | undefined;
  readonly rps: number;
  readonly users: number;
  readonly intervalS: number;
  readonly prometheus: boolean;
  readonly verbose: boolean;
  readonly faultEnv: Record<string, string>;
}

/** What is running so far; stopAll stops whatever got started. */
interface Parts {
  jaeger?: JaegerServer | undefined;
  services?: Services;
  stack?: LocalStack | undefined;
  loadgen?: ChildProcess;
}

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

function parseOptions(): DemoOptions | undefined {
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
  if (values.help) return undefined;
  const faultEnv: Record<string, string> = {};
  if (values['error-rate'] !== undefined) faultEnv.FAULT_ERROR_RATE = values['error-rate'];
  if (values['latency-ms'] !== undefined) faultEnv.FAULT_LATENCY_MS = values['latency-ms'];
  if (values['queue-stall']) faultEnv.FAULT_QUEUE_STALL = 'true';
  return {
    durationS:
      values.duration === undefined ? undefined : positive('duration', values.duration, 0, 86_400),
    rps: positive('rps', values.rps, 20, 500),
    users: positive('users', values.users, 500, 1_000_000),
    intervalS: positive('interval', values.interval, 5, 60),
    prometheus: !values['no-prometheus'],
    verbose: values.verbose === true,
    faultEnv,
  };
}

/** Waits for a child to exit after SIGTERM (the load generator drains what is in flight, each
 * request bounded by its 15 s timeout); SIGKILL after 20 s. */
function terminate(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    }),
  );
  child.kill('SIGTERM');
  return exited;
}

async function stopAll(parts: Parts): Promise<void> {
  await terminate(parts.loadgen);
  await parts.services?.stop();
  await parts.stack?.stop();
  await parts.jaeger?.stop();
}

async function startAll(options: DemoOptions, parts: Parts): Promise<void> {
  const log = (line: string) => {
    if (options.verbose) console.log(line);
  };
  parts.jaeger = await startLocalJaeger();
  const otlp = parts.jaeger?.otlpHttpUrl ?? 'http://127.0.0.1:4318';
  if (!parts.jaeger && !(await listening(4318))) {
    console.log(
      'No Jaeger: traces are dropped and counted (tracing_spans_dropped_total). `pnpm servers` builds one (needs Go); or run the compose stack: docker compose -f infra/compose/docker-compose.monitoring.yml up -d',
    );
  }
  parts.services = await startServices({
    env: { ...options.faultEnv, OTEL_EXPORTER_OTLP_ENDPOINT: otlp },
    log,
  });
  if (options.prometheus) parts.stack = await startLocalStack({ ports: parts.services.ports, log });
  for (const s of parts.services.list)
    console.log(`${s.name.padEnd(13)} API ${s.apiUrl}   metrics ${s.metricsUrl}`);
  if (parts.stack) {
    // Go-module builds have no web UI (README): the API paths always work.
    console.log(
      `prometheus    ${parts.stack.prometheusUrl}   (rules from infra/prometheus; API /api/v1/alerts)`,
    );
    console.log(`alertmanager  ${parts.stack.alertmanagerUrl}   (API /api/v2/alerts)`);
  } else if (options.prometheus) {
    console.log(
      'No Prometheus and Alertmanager, so the demo runs without them: `pnpm servers` builds them (needs Go), or apt-get install -y prometheus prometheus-alertmanager',
    );
  }
  if (parts.jaeger) {
    console.log(`jaeger        ${parts.jaeger.queryUrl}   (API /api/traces?service=demo-gateway)`);
  } else if (await listening(16686)) {
    console.log('jaeger        http://127.0.0.1:16686');
  }
}

type Outcome = 'done' | 'interrupted' | 'service exited';

/** The live summary until the load ends, a service dies, or `stop` fires. */
function live(
  options: DemoOptions,
  parts: Parts,
  first: Snapshot,
  stop: AbortSignal,
): Promise<Outcome> {
  const services = parts.services as Services;
  let previous = first;
  let finished = false;
  return new Promise<Outcome>((resolve) => {
    const finish = (outcome: Outcome) => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      resolve(outcome);
    };
    const tick = async () => {
      const current = await snapshot(services.list);
      const alerts = await firingAlerts(parts.stack?.prometheusUrl);
      if (finished) return;
      console.log(formatSummary(summarize(first, previous, current, alerts)));
      previous = current;
      const dead = services.list.find((s) => s.child.exitCode !== null);
      if (dead) {
        console.error(`${dead.name} exited:\n${dead.output()}`);
        finish('service exited');
      }
    };
    const timer = setInterval(() => void tick(), options.intervalS * 1000);
    parts.loadgen?.once('exit', () => finish('done'));
    if (stop.aborted) finish('interrupted');
    stop.addEventListener('abort', () => finish('interrupted'), { once: true });
  });
}

async function run(options: DemoOptions, parts: Parts, stop: AbortSignal): Promise<number> {
  await startAll(options, parts);
  if (stop.aborted) return 0;
  const services = parts.services as Services;
  const first = await snapshot(services.list);
  parts.loadgen = startLoadgen(
    {
      gateway: services.gatewayUrl,
      rps: options.rps,
      users: options.users,
      durationS: options.durationS ?? 86_400,
    },
    (line) => (options.verbose || line.includes('done') ? console.log(line) : undefined),
  );
  const outcome = await live(options, parts, first, stop);
  // The load stops first and drains, so the summary counts every request it made.
  await terminate(parts.loadgen);
  const final = summarize(
    first,
    first,
    await snapshot(services.list),
    await firingAlerts(parts.stack?.prometheusUrl),
  );
  console.log(
    `\ndemo summary: ${final.requests} gateway requests, ${final.workflows} workflow executions, MAU ${final.mau}, ${final.tokens} GenAI tokens, spend ${formatSpend(final.spend)}, firing: ${final.alerts.join(', ') || 'none'}`,
  );
  return outcome === 'service exited' ? 1 : 0;
}

async function main(): Promise<number> {
  let options: DemoOptions | undefined;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${HELP}`);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  const parts: Parts = {};
  const stop = new AbortController();
  // One clean stop, whatever arrives: pnpm passes the terminal's SIGINT on, so one Ctrl-C comes
  // twice; SIGHUP is the terminal closing. Every stop step is bounded (SIGKILL after a timeout).
  const onSignal = () => {
    if (stop.signal.aborted) return;
    console.log('\nstopping…');
    stop.abort();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  try {
    return await run(options, parts, stop.signal);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    await stopAll(parts);
  }
}

process.exitCode = await main();
