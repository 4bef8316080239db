// Interleaved throughput rounds: every setup of a framework once per round (a b c d a b c d …),
// with the server's own CPU time read before and after each window.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  REQUEST_PATH,
  SETTLE_BUSY_MS,
  SETTLE_LIMIT_MS,
  SETTLE_STEP_MS,
  type ChildMessage,
  type Framework,
  type ServerConfig,
  type Variant,
} from './configs.js';
import { startChild, type Child } from './children.js';
import type { LoadResult } from './load.js';
import { placed, type Placement } from './placement.js';

export interface ThroughputOptions {
  readonly frameworks: readonly Framework[];
  readonly variants: readonly Variant[];
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly sinkUrl: string;
  /** Cores and priority of the server and the load generator (see placement.ts). */
  readonly placement: Placement;
  /** The Node.js binary of the servers (default: the bench's). */
  readonly serverNode?: string;
  /** Node.js options of the servers (default: none). */
  readonly serverFlags?: readonly string[];
  readonly log?: (line: string) => void;
}

/** One measurement window of one setup in one round. */
export interface Sample {
  readonly framework: Framework;
  readonly variant: Variant;
  readonly round: number;
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
  /** The part of it spent in the kernel (system time): mostly the loopback socket's sends. */
  readonly systemMicrosPerRequest?: number;
  readonly requests: number;
  readonly errors: number;
  readonly p99Ms: number;
  /** Tracing setups: the share of the window's requests answered inside a sampled trace. */
  readonly sampledShare?: number;
  /** Whether every server of the round was idle when the window began (see settle). */
  readonly settled?: boolean;
}

export interface ThroughputResult {
  readonly samples: readonly Sample[];
  /** What each tracing setup loaded, by `framework/variant`. */
  readonly details: Readonly<Record<string, string>>;
}

interface RunningServer {
  readonly variant: Variant;
  readonly child: Child;
  readonly url: string;
}

type CpuReply = Extract<ChildMessage, { type: 'cpu' }>;

async function serverCpu(server: RunningServer): Promise<CpuReply> {
  return server.child.ask<CpuReply>({ type: 'cpu' }, 'cpu', 10_000);
}

/** The share of requests handled between two readings that ran inside a sampled trace. */
function sampledShare(before: CpuReply, after: CpuReply): number | undefined {
  if (before.traces === undefined || after.traces === undefined) return undefined;
  const handled = after.traces.handled - before.traces.handled;
  return handled > 0 ? (after.traces.sampled - before.traces.sampled) / handled : undefined;
}

async function runLoad(
  load: Child,
  url: string,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const reply = await load.ask<{ result: LoadResult }>(
    { url, durationSeconds: seconds, connections },
    'result',
    (seconds + 30) * 1000,
  );
  return reply.result;
}

const withShare = (share: number | undefined): { sampledShare?: number } =>
  share === undefined ? {} : { sampledShare: share };

/**
 * `items` starting at index `by` (mod length), wrapping around. Each round runs the setups in an
 * order moved by one place: the setup measured right after another one's load can be measurably
 * slower (Koa on 29 Nov: 40-48 µs CPU per request for our adapter in second place, 32-35 µs in
 * third, same code and round), so no setup keeps one place in every round.
 */
export function rotated<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const start = ((by % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * Waits until no server of the round burns CPU in the background: a traced setup goes on
 * exporting the spans of its window after its load ends, on the core the next setup is measured
 * on. `cpuMicros` reads every server's CPU time; settled once a step of `stepMs` saw none of them
 * use more than SETTLE_BUSY_MS, false when `limitMs` passed first.
 */
export async function settle(
  cpuMicros: () => Promise<readonly number[]>,
  stepMs = SETTLE_STEP_MS,
  limitMs = SETTLE_LIMIT_MS,
): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  let last = await cpuMicros();
  while (Date.now() < deadline) {
    await sleep(stepMs);
    const now = await cpuMicros();
    const busy = now.some((micros, i) => micros - (last[i] ?? 0) > SETTLE_BUSY_MS * 1000);
    last = now;
    if (!busy) return true;
  }
  return false;
}

/** Runs every round for every framework; servers of one framework live for all its rounds. */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const samples: Sample[] = [];
  const details: Record<string, string> = {};
  const log = options.log ?? (() => undefined);
  const { placement } = options;
  const { child: load } = await startChild('load', placed(placement, 'load'));
  try {
    for (const framework of options.frameworks) {
      const servers: RunningServer[] = [];
      try {
        for (const variant of options.variants) {
          const config: ServerConfig = { framework, variant, sinkUrl: options.sinkUrl };
          const { child, ready } = await startChild<{ port: number; detail?: string }>('server', {
            env: { BENCH_SERVER: JSON.stringify(config), NODE_ENV: 'production' },
            ...placed(placement, 'server'),
            ...(options.serverNode === undefined ? {} : { node: options.serverNode }),
            ...(options.serverFlags === undefined ? {} : { execArgv: [...options.serverFlags] }),
          });
          if (ready.detail !== undefined) details[`${framework}/${variant}`] = ready.detail;
          servers.push({ variant, child, url: `http://127.0.0.1:${ready.port}${REQUEST_PATH}` });
        }
        for (let round = 1; round <= options.rounds; round++) {
          for (const server of rotated(servers, round - 1)) {
            // A short warm-up first, so JIT and connection setup stay out of the window.
            if (options.warmupSeconds > 0) {
              await runLoad(load, server.url, options.warmupSeconds, options.connections);
            }
            // then the warm-up's and the previous window's background work (exports) end
            const settled = await settle(async () =>
              (await Promise.all(servers.map(serverCpu))).map((reply) => reply.micros),
            );
            const before = await serverCpu(server);
            const result = await runLoad(
              load,
              server.url,
              options.durationSeconds,
              options.connections,
            );
            const after = await serverCpu(server);
            const requests = Math.max(result.requests, 1);
            const sample: Sample = {
              framework,
              variant: server.variant,
              round,
              rps: result.requests / result.seconds,
              cpuMicrosPerRequest: (after.micros - before.micros) / requests,
              systemMicrosPerRequest: (after.systemMicros - before.systemMicros) / requests,
              requests: result.requests,
              errors: result.errors + result.non2xx,
              p99Ms: result.p99Ms,
              ...withShare(sampledShare(before, after)),
              settled,
            };
            samples.push(sample);
            log(
              `${framework} round ${round} ${server.variant}: ${sample.rps.toFixed(0)} req/s, ` +
                `${sample.cpuMicrosPerRequest.toFixed(1)} µs CPU/req`,
            );
          }
        }
      } finally {
        await Promise.all(servers.map((s) => s.child.stop()));
      }
    }
  } finally {
    await load.stop();
  }
  return { samples, details };
}
