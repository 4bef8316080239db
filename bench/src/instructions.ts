// `pnpm --filter @ai-orchestrator/bench run instructions [--frameworks express,fastify,koa]
// [--variants bare,ours] [--from 3000] [--to 15000]`: user-space instructions per request of the
// bench servers, counted by cachegrind (Debian's `valgrind`). A count moves far less than CPU time
// on a machine whose speed wanders (on one, a CPU loop took 622-810 ms in three runs, and a round's
// throughput ratio spread 0.60-1.03): it tells builds apart by 1-2% where the bench cannot. Each
// setup is counted twice, after `--from` and after `--to` requests (in parallel, one per core), and
// the difference divided by the requests between is the steady state, start-up, warm-up and
// JIT compilation left out. V8 runs `--single-threaded`, so its compiler and collector threads do not
// make the count wander (with them, repeated counts moved by 10%); the collector's work is counted
// on the main thread instead. What a count leaves out: the kernel's share (the socket's sends) and
// the cost of cache misses, so it complements the bench's CPU ratios, never replaces them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startChild } from './children.js';
import { ALL_VARIANTS, FRAMEWORKS, REQUEST_PATH, type Framework, type Variant } from './configs.js';

// Requests served before the counted ones in every run, so both runs of a setup start the same.
const WARMUP_REQUESTS = 500;
// Under cachegrind a server starts in 10-40 s and serves a request in 1-10 ms.
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;

/** The total instruction count cachegrind wrote (`summary: N`) in `text`. */
export function cachegrindTotal(text: string): number {
  const match = /^summary: (\d+)/m.exec(text);
  if (match === null) throw new Error('instructions: no "summary:" line in the cachegrind output');
  return Number(match[1]);
}

export interface CountedRun {
  readonly requests: number;
  readonly instructions: number;
}

/** Instructions per request between two runs of one setup: the steady state's share. */
export function instructionsPerRequest(shorter: CountedRun, longer: CountedRun): number {
  const requests = longer.requests - shorter.requests;
  if (!(requests > 0)) {
    throw new RangeError(
      `instructions: --to (${longer.requests}) must be larger than --from (${shorter.requests})`,
    );
  }
  return (longer.instructions - shorter.instructions) / requests;
}

function requests(url: string, amount: number): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 4, amount, timeout: 60 }, (error, result) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(result['2xx']);
    });
  });
}

/** One bench server under cachegrind, `amount` requests after the warm-up: its total count. */
async function countRun(framework: Framework, variant: Variant, amount: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-instructions-'));
  const out = join(dir, 'cachegrind.out');
  try {
    const { child, ready } = await startChild<{ port: number }>('server', {
      wrapper: [
        'valgrind',
        '--tool=cachegrind',
        '--cache-sim=no',
        `--cachegrind-out-file=${out}`,
        '-q',
      ],
      execArgv: ['--single-threaded'],
      env: {
        NODE_ENV: 'production',
        // (tracing setups export to a port nothing listens on: the export's cost is counted)
        BENCH_SERVER: JSON.stringify({
          framework,
          variant,
          sinkUrl: 'http://127.0.0.1:9/v1/traces',
        }),
      },
      readyTimeoutMs: READY_TIMEOUT_MS,
      // cachegrind writes its count as the server exits
      stopTimeoutMs: STOP_TIMEOUT_MS,
    });
    try {
      const url = `http://127.0.0.1:${ready.port}${REQUEST_PATH}`;
      await requests(url, WARMUP_REQUESTS);
      const served = await requests(url, amount);
      if (served !== amount) {
        throw new Error(
          `instructions: ${framework}/${variant} answered ${served} of ${amount} with 2xx`,
        );
      }
    } finally {
      await child.stop();
    }
    return cachegrindTotal(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function listOf<T extends string>(name: string, value: string, known: readonly T[]): T[] {
  const items = value.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!(known as readonly string[]).includes(item)) {
      throw new TypeError(`instructions: --${name} "${item}" is none of ${known.join(', ')}`);
    }
  }
  return items as T[];
}

function count(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new TypeError(`instructions: --${name} must be a positive integer, got "${value}"`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frameworks: { type: 'string', default: FRAMEWORKS.join(',') },
      variants: { type: 'string', default: 'bare,ours' },
      from: { type: 'string', default: '3000' },
      to: { type: 'string', default: '15000' },
    },
  });
  const frameworks = listOf('frameworks', values.frameworks, FRAMEWORKS);
  const variants = listOf('variants', values.variants, ALL_VARIANTS);
  const from = count('from', values.from);
  const to = count('to', values.to);
  instructionsPerRequest({ requests: from, instructions: 0 }, { requests: to, instructions: 0 });
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    throw new Error('instructions: valgrind is not installed (Debian package "valgrind")');
  }
  const lines = [
    `Instructions per request (cachegrind, V8 --single-threaded; runs of ${from} and ${to} requests):`,
    '',
    '| setup | instructions per request | ratio to bare |',
    '|---|---:|---:|',
  ];
  for (const framework of frameworks) {
    let bare: number | undefined;
    for (const variant of variants) {
      const [shorter, longer] = await Promise.all([
        countRun(framework, variant, from),
        countRun(framework, variant, to),
      ]);
      const perRequest = instructionsPerRequest(
        { requests: from, instructions: shorter },
        { requests: to, instructions: longer },
      );
      if (variant === 'bare') bare = perRequest;
      const ratio = bare === undefined ? '—' : (perRequest / bare).toFixed(3);
      const line = `| ${framework}/${variant} | ${(perRequest / 1000).toFixed(1)}k | ${ratio} |`;
      process.stderr.write(`${line}\n`);
      lines.push(line);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

// Only when started as `node dist/instructions.js`, not when a test imports the module.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.message : error)}\n`);
    process.exit(1);
  });
}
