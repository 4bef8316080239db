// Measures the constants infra/CAPACITY.md and infra/scripts/capacity.ts start from, on this
// machine, with the pinned Prometheus and VictoriaMetrics (built by `pnpm servers`): memory per
// active series (runs at several series counts, a line fitted through them), CPU and WAL bytes
// per ingested sample, bytes per sample in a compacted block, remote-write bytes per sample, and
// what VictoriaMetrics spends per sample; plus the Node-side scrape cost and the KPI store's
// figures from their own reports. Writes infra/capacity/measured.json. About 15 minutes.
//   tsx infra/scripts/measure-capacity.ts [--out FILE] [--sizes 10000,50000,100000]
// After `pnpm bench` or the KPI store's capacity run rewrote their reports, `--from-reports`
// takes just those figures again and keeps the server runs (seconds; no server needed).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { builtBinary, SERVERS } from '@ai-orchestrator/testkit';
import { fitLine, median } from './capacity/exposition.js';
import type { Measured } from './capacity/measured.js';
import { measureRun, running, type Binaries, type RunFigures } from './capacity/runs.js';
import { measuredElsewhere } from './capacity/sources.js';

export const MEASURED_FILE = fileURLToPath(new URL('../capacity/measured.json', import.meta.url));

const round = (value: number, digits = 3): number => Number(value.toPrecision(digits));

function binaries(): Binaries {
  const prometheus = builtBinary('prometheus');
  const victoriaMetrics = builtBinary('victoria-metrics');
  if (!prometheus || !victoriaMetrics) {
    throw new Error(
      'measure-capacity: the pinned Prometheus and VictoriaMetrics are needed; run: pnpm servers',
    );
  }
  return { prometheus, victoriaMetrics };
}

/** The constants, from the runs: memory fitted over the series counts, per-sample costs as medians. */
export function summarize(memory: readonly RunFigures[], disk: RunFigures): Measured {
  const resident = fitLine(memory.map((r) => ({ x: r.headSeries, y: r.residentBytes })));
  const heap = fitLine(memory.map((r) => ({ x: r.headSeries, y: r.heapInuseBytes })));
  const vmResident = fitLine(
    memory.map((r) => ({ x: r.series, y: r.victoriaMetrics.residentBytes })),
  );
  const block = disk.block as NonNullable<RunFigures['block']>;
  const all = [...memory, disk];
  return {
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      loadAverage: loadavg().map((l) => round(l, 2)),
      node: process.version,
      prometheus: SERVERS.prometheus.release,
      victoriaMetrics: SERVERS['victoria-metrics'].release,
    },
    prometheus: {
      residentBytesPerSeries: round(resident.slope),
      residentBaseBytes: round(resident.intercept),
      heapBytesPerSeries: round(heap.slope),
      cpuMicrosPerSample: round(median(all.map((r) => r.cpuMicrosPerSample))),
      walBytesPerSample: round(median(all.map((r) => r.walBytesPerSample))),
      blockBytesPerSample: round(block.chunkBytes / block.samples),
      indexBytesPerSeries: round(block.indexBytes / block.series),
      remoteWriteBytesPerSample: round(median(all.map((r) => r.remoteWriteBytesPerSample))),
    },
    victoriaMetrics: {
      residentBytesPerSeries: round(vmResident.slope),
      cpuMicrosPerSample: round(median(all.map((r) => r.victoriaMetrics.cpuMicrosPerSample))),
      diskBytesPerSample: round(median(all.map((r) => r.victoriaMetrics.diskBytesPerSample))),
      indexBytesPerSeries: round(median(all.map((r) => r.victoriaMetrics.indexBytesPerSeries))),
    },
    ...measuredElsewhere(),
    runs: [...memory, disk],
  };
}

/** `measured` with the scrape and KPI store figures read again from their reports. */
export function fromReports(measured: Measured): Measured {
  return { ...measured, ...measuredElsewhere() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: MEASURED_FILE },
      sizes: { type: 'string', default: '10000,50000,100000' },
      'from-reports': { type: 'boolean', default: false },
    },
  });
  if (values['from-reports']) {
    const measured = JSON.parse(readFileSync(values.out as string, 'utf8')) as Measured;
    writeFileSync(values.out as string, `${JSON.stringify(fromReports(measured), null, 2)}\n`);
    process.stderr.write(
      `wrote ${values.out}; infra/CAPACITY.md shows the example's plan: paste in the output of\n` +
        '  tsx infra/scripts/capacity.ts infra/capacity/fleet.example.yaml\n',
    );
    return;
  }
  const sizes = (values.sizes as string).split(',').map(Number);
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1000)) {
    throw new TypeError(`--sizes must be two or more whole numbers >= 1000, got "${values.sizes}"`);
  }
  const bin = binaries();
  const memory: RunFigures[] = [];
  for (const series of sizes) {
    process.stderr.write(`measuring ${series} series at a 5 s scrape interval…\n`);
    memory.push(
      await measureRun(bin, {
        series,
        scrapeIntervalSeconds: 5,
        warmupSeconds: 60,
        windowSeconds: 60,
      }),
    );
  }
  // 1 s scrapes and 2-minute blocks: a block of full 120-sample chunks within minutes.
  process.stderr.write(
    `measuring ${sizes[0]} series at 1 s, until the first block is compacted…\n`,
  );
  const disk = await measureRun(bin, {
    series: sizes[0] as number,
    scrapeIntervalSeconds: 1,
    warmupSeconds: 30,
    windowSeconds: 60,
    block: true,
  });
  const measured = summarize(memory, disk);
  writeFileSync(values.out as string, `${JSON.stringify(measured, null, 2)}\n`);
  process.stderr.write(`wrote ${values.out}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Ctrl-C or a kill: stop the servers of the run under way, which would outlive this process.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.allSettled([...running].map((stop) => stop())).then(() => process.exit(130));
    });
  }
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
