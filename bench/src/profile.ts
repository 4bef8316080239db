// `pnpm --filter @ai-orchestrator/bench run profile --framework koa --variant ours-trace-100
// [--seconds 10] [--out dir] [--server-node /path/to/node]
// [--before old.cpuprofile] [--against bare]`: one bench server under autocannon load with
// `--cpu-prof`, then the self time of the tracing packages (of the metrics packages and peers for
// `ours` and `peer`) and their top frames (against an earlier profile if given). With `--against`,
// the other setup is profiled the same way and both are compared in µs of main-thread CPU per
// request, by package: where the setup's extra cost per request goes.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_VARIANTS, FRAMEWORKS, REQUEST_PATH, type Framework, type Variant } from './configs.js';
import { startChild } from './children.js';
import { placed, planPlacement } from './placement.js';
import { compareRows, perRequest, selfTimes, type CpuProfile } from './cpu-profile.js';

// The warm-up before the profiled window, also left out of the summary with the start-up.
const WARMUP_SECONDS = 2;
const TRACING = /opentelemetry|fastify\/otel|ai-orchestrator\/tracing|in-the-middle/;
// For the metrics setups: our packages, prom-client and the peers' own code.
const METRICS =
  /ai-orchestrator\/(metrics|express|fastify|koa)\b|prom-client|express-prom-bundle|fastify-metrics|koa-prometheus-exporter/;

async function profileServer(
  framework: Framework,
  variant: Variant,
  seconds: number,
  out: string,
  node: string | undefined,
): Promise<{ file: string; requests: number }> {
  mkdirSync(out, { recursive: true });
  const known = new Set(readdirSync(out));
  const { child: sink, ready: sinkReady } = await startChild<{ port: number }>('sink');
  const placement = planPlacement();
  const { child: load } = await startChild('load', placed(placement, 'load'));
  // requests served in the profiled window (the last load)
  let requests = 0;
  try {
    const sinkUrl = `http://127.0.0.1:${sinkReady.port}/v1/traces`;
    const { child: server, ready } = await startChild<{ port: number }>('server', {
      env: {
        BENCH_SERVER: JSON.stringify({ framework, variant, sinkUrl }),
        NODE_ENV: 'production',
      },
      execArgv: ['--cpu-prof', `--cpu-prof-dir=${out}`],
      ...placed(placement, 'server'),
      ...(node === undefined ? {} : { node }),
    });
    const url = `http://127.0.0.1:${ready.port}${REQUEST_PATH}`;
    for (const durationSeconds of [WARMUP_SECONDS, seconds]) {
      const reply = await load.ask<{ result: { requests: number } }>(
        { url, durationSeconds, connections: 16 },
        'result',
        (seconds + 30) * 1000,
      );
      requests = reply.result.requests;
    }
    await server.stop(); // the profile is written as the server exits
  } finally {
    await Promise.all([load.stop(), sink.stop()]);
  }
  // the main thread's profile is the largest new file (the loader-hook thread writes one too)
  const written = readdirSync(out)
    .filter((name) => name.endsWith('.cpuprofile') && !known.has(name))
    .map((name) => join(out, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (written[0] === undefined) throw new Error(`profile: no .cpuprofile written to ${out}`);
  return { file: written[0], requests };
}

function read(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      framework: { type: 'string', default: 'koa' },
      variant: { type: 'string', default: 'ours-trace-100' },
      seconds: { type: 'string', default: '10' },
      out: { type: 'string', default: join(tmpdir(), 'bench-profiles') },
      before: { type: 'string' },
      'server-node': { type: 'string' },
      against: { type: 'string' },
    },
  });
  const framework = values.framework as Framework;
  const variant = values.variant as Variant;
  const against = values.against as Variant | undefined;
  for (const name of [variant, against]) {
    if (!FRAMEWORKS.includes(framework) || (name !== undefined && !ALL_VARIANTS.includes(name))) {
      throw new TypeError(`profile: --framework ${framework} --variant ${name} is not a setup`);
    }
  }
  const seconds = Number(values.seconds);
  const run = (name: Variant) =>
    profileServer(framework, name, seconds, values.out, values['server-node']);
  const base = against === undefined ? undefined : await run(against);
  const { file, requests } = await run(variant);
  const skip = WARMUP_SECONDS + 1;
  const after = selfTimes(read(file), skip);
  const before = values.before === undefined ? after : selfTimes(read(values.before), skip);
  const watched = variant === 'ours' || variant === 'peer' ? METRICS : TRACING;
  const tracing = (map: ReadonlyMap<string, number>): string[] =>
    [...map.keys()].filter((key) => watched.test(key));
  const lines = [
    `${framework}/${variant}: ${file}${values.before === undefined ? '' : ` against ${values.before}`}`,
    '',
    '| package (self time, % of busy CPU samples) | before | after |',
    '|---|---:|---:|',
    ...compareRows(
      [...new Set([...tracing(before.packages), ...tracing(after.packages)])],
      before.packages,
      after.packages,
      20,
    ),
    '',
    '| frame (self time, %) | before | after |',
    '|---|---:|---:|',
    ...compareRows(
      [...new Set([...tracing(before.frames), ...tracing(after.frames)])],
      before.frames,
      after.frames,
      15,
    ),
  ];
  if (base !== undefined)
    lines.push(
      '',
      ...perRequestRows(against as Variant, base, variant, { file, requests }, seconds),
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The two setups' main-thread CPU per request, by package, and the difference. */
function perRequestRows(
  baseName: Variant,
  base: { file: string; requests: number },
  name: Variant,
  run: { file: string; requests: number },
  seconds: number,
): string[] {
  const before = perRequest(read(base.file), base.requests, seconds);
  const after = perRequest(read(run.file), run.requests, seconds);
  const keys = [...new Set([...before.packages.keys(), ...after.packages.keys()])];
  const of = (map: ReadonlyMap<string, number>, key: string): number => map.get(key) ?? 0;
  const row = (key: string, a: number, b: number): string =>
    `| ${key} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${b - a >= 0 ? '+' : ''}${(b - a).toFixed(2)} |`;
  return [
    `Main-thread CPU µs per request (${base.requests} and ${run.requests} requests in ${seconds} s; each sample counted for the package nearest the running frame):`,
    '',
    `| package | ${baseName} | ${name} | Δ |`,
    '|---|---:|---:|---:|',
    row('all', before.busy, after.busy),
    ...keys
      .sort((a, b) => of(after.packages, b) - of(after.packages, a))
      .filter((key) => Math.max(of(before.packages, key), of(after.packages, key)) >= 0.01)
      .slice(0, 20)
      .map((key) => row(key, of(before.packages, key), of(after.packages, key))),
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
