// `pnpm --filter @ai-orchestrator/bench run profile --framework koa --variant ours-trace-100
// [--seconds 10] [--out dir] [--server-node /path/to/node]
// [--before old.cpuprofile]`: one bench server under autocannon load with `--cpu-prof`, then the
// self time of the tracing packages (of the metrics packages and peers for `ours` and `peer`) and
// their top frames (against an earlier profile if given).
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_VARIANTS, FRAMEWORKS, REQUEST_PATH, type Framework, type Variant } from './configs.js';
import { startChild } from './children.js';
import { placed, planPlacement } from './placement.js';
import { compareRows, selfTimes, type CpuProfile } from './cpu-profile.js';

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
) {
  mkdirSync(out, { recursive: true });
  const known = new Set(readdirSync(out));
  const { child: sink, ready: sinkReady } = await startChild<{ port: number }>('sink');
  const placement = planPlacement();
  const { child: load } = await startChild('load', placed(placement, 'load'));
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
      await load.ask({ url, durationSeconds, connections: 16 }, 'result', (seconds + 30) * 1000);
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
  return written[0];
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
    },
  });
  const framework = values.framework as Framework;
  const variant = values.variant as Variant;
  if (!FRAMEWORKS.includes(framework) || !ALL_VARIANTS.includes(variant)) {
    throw new TypeError(`profile: --framework ${framework} --variant ${variant} is not a setup`);
  }
  const file = await profileServer(
    framework,
    variant,
    Number(values.seconds),
    values.out,
    values['server-node'],
  );
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
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
