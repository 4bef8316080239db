// One measurement run: the pinned Prometheus scraping a synthetic exporter of N series and
// remote-writing to the pinned VictoriaMetrics, both real, on loopback; what each costs per
// series and per sample, read from their own /metrics and data directories.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPrometheus, startVictoriaMetrics } from '@ai-orchestrator/testkit';
import { stringify } from 'yaml';
import { startSyntheticExporter } from './exporter.js';
import { median, scrape, sumOf } from './exposition.js';

export interface Binaries {
  readonly prometheus: string;
  readonly victoriaMetrics: string;
}

export interface RunOptions {
  readonly series: number;
  readonly scrapeIntervalSeconds: number;
  /** Measured after this much warm-up, over this window. */
  readonly warmupSeconds: number;
  readonly windowSeconds: number;
  /** Cut 2-minute blocks and wait for the first one, to weigh a compacted block. */
  readonly block?: boolean;
}

export interface BlockFigures {
  readonly samples: number;
  readonly series: number;
  readonly chunkBytes: number;
  readonly indexBytes: number;
}

export interface RunFigures {
  readonly series: number;
  readonly scrapeIntervalSeconds: number;
  readonly headSeries: number;
  readonly heapInuseBytes: number;
  readonly residentBytes: number;
  readonly cpuMicrosPerSample: number;
  readonly walBytesPerSample: number;
  readonly remoteWriteBytesPerSample: number;
  readonly scrapeSeconds: number;
  readonly block?: BlockFigures;
  readonly victoriaMetrics: {
    readonly residentBytes: number;
    readonly cpuMicrosPerSample: number;
    readonly diskBytesPerSample: number;
    readonly indexBytesPerSeries: number;
  };
}

/** Block span of the disk run: 120 samples per series at 1 s, full chunks. */
const BLOCK_MS = 120_000;
const STORAGE = /type="storage\/(inmemory|small|big)"/;
const INDEX = /type="indexdb\/(inmemory|file)"/;

/** Bytes of every file under `dir`. */
function du(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? du(path) : statSync(path).size);
  }, 0);
}

/** A persisted block of a Prometheus data dir spanning `spanMs` (the first one is cut short at
 * an aligned boundary, so its chunks are short too), if compaction has written one. */
function fullBlock(data: string, spanMs: number): BlockFigures | undefined {
  for (const name of readdirSync(data)) {
    const meta = join(data, name, 'meta.json');
    try {
      const { minTime, maxTime, stats } = JSON.parse(readFileSync(meta, 'utf8')) as {
        minTime: number;
        maxTime: number;
        stats: { numSamples: number; numSeries: number };
      };
      // minTime is the first sample, maxTime the exclusive end: a full 2 m block spans ~119.5 s.
      if (maxTime - minTime < spanMs * 0.9) continue;
      return {
        samples: stats.numSamples,
        series: stats.numSeries,
        chunkBytes: du(join(data, name, 'chunks')),
        indexBytes: statSync(join(data, name, 'index')).size,
      };
    } catch {
      // not a block (wal, chunks_head, lock) or not complete yet
    }
  }
  return undefined;
}

/** Stops of the servers of the run under way, for a signal that ends the script early. */
export const running = new Set<() => Promise<void>>();

interface Counters {
  readonly prometheus: string;
  readonly vm: string;
}

const delta = (name: string, a: Counters, b: Counters, which: keyof Counters, labels?: RegExp) =>
  sumOf(b[which], name, labels) - sumOf(a[which], name, labels);

/**
 * Runs Prometheus over N series for warm-up plus window and returns what it cost.
 *
 * @example
 * const figures = await measureRun(binaries, { series: 10_000, scrapeIntervalSeconds: 5, warmupSeconds: 60, windowSeconds: 60 });
 */
export async function measureRun(bin: Binaries, o: RunOptions): Promise<RunFigures> {
  const interval = `${o.scrapeIntervalSeconds}s`;
  const exporter = await startSyntheticExporter(o.series);
  const vm = await startVictoriaMetrics(bin.victoriaMetrics, { dedupMinScrapeInterval: interval });
  const blockArgs = o.block
    ? [
        `--storage.tsdb.min-block-duration=${BLOCK_MS / 60_000}m`,
        `--storage.tsdb.max-block-duration=${BLOCK_MS / 60_000}m`,
      ]
    : [];
  const prometheus = await startPrometheus(
    bin.prometheus,
    stringify({
      global: { scrape_interval: interval, scrape_timeout: interval },
      scrape_configs: [{ job_name: 'capacity', static_configs: [{ targets: [exporter.target] }] }],
      // The production overlay's queue (infra/k8s/overlays/production/prometheus.yml).
      remote_write: [
        {
          url: vm.remoteWriteUrl,
          queue_config: { capacity: 10000, max_samples_per_send: 2000, max_shards: 50 },
        },
      ],
    }),
    {},
    blockArgs,
  );
  const stop = async (): Promise<void> => {
    await prometheus.stop();
    await vm.stop();
    await exporter.stop();
  };
  running.add(stop);
  try {
    await sleep(o.warmupSeconds * 1000);
    const read = async (): Promise<Counters> => ({
      prometheus: await scrape(prometheus.url),
      vm: await scrape(vm.url),
    });
    const start = await read();
    const walStart = du(join(prometheus.dir, 'data', 'wal'));
    const heap: number[] = [];
    const rss: number[] = [];
    const vmRss: number[] = [];
    for (let t = 0; t < o.windowSeconds; t += 5) {
      await sleep(5000);
      const now = await read();
      heap.push(sumOf(now.prometheus, 'go_memstats_heap_inuse_bytes'));
      rss.push(sumOf(now.prometheus, 'process_resident_memory_bytes'));
      vmRss.push(sumOf(now.vm, 'process_resident_memory_bytes'));
    }
    const end = await read();
    const walEnd = du(join(prometheus.dir, 'data', 'wal'));
    const appended = delta('prometheus_tsdb_head_samples_appended_total', start, end, 'prometheus');
    const sent = delta('prometheus_remote_storage_samples_total', start, end, 'prometheus');
    const inserted = delta('vm_rows_inserted_total', start, end, 'vm', /promremotewrite/);
    let block: BlockFigures | undefined;
    for (let i = 0; o.block && !block && i < 120; i += 1) {
      block = fullBlock(join(prometheus.dir, 'data'), BLOCK_MS);
      if (!block) await sleep(5000);
    }
    if (o.block && !block) throw new Error('no full block was compacted within 10 minutes');
    const final = await read();
    const targets = await prometheus.api<{ activeTargets: { lastScrapeDuration: number }[] }>(
      'targets',
    );
    return {
      series: exporter.series,
      scrapeIntervalSeconds: o.scrapeIntervalSeconds,
      headSeries: sumOf(end.prometheus, 'prometheus_tsdb_head_series'),
      heapInuseBytes: median(heap),
      residentBytes: median(rss),
      cpuMicrosPerSample:
        (delta('process_cpu_seconds_total', start, end, 'prometheus') * 1e6) / appended,
      walBytesPerSample: (walEnd - walStart) / appended,
      remoteWriteBytesPerSample:
        delta('prometheus_remote_storage_bytes_total', start, end, 'prometheus') / sent,
      scrapeSeconds: targets.activeTargets[0]?.lastScrapeDuration ?? 0,
      ...(block ? { block } : {}),
      victoriaMetrics: {
        residentBytes: median(vmRss),
        cpuMicrosPerSample: (delta('process_cpu_seconds_total', start, end, 'vm') * 1e6) / inserted,
        diskBytesPerSample:
          sumOf(final.vm, 'vm_data_size_bytes', STORAGE) / sumOf(final.vm, 'vm_rows', STORAGE),
        indexBytesPerSeries: sumOf(final.vm, 'vm_data_size_bytes', INDEX) / exporter.series,
      },
    };
  } finally {
    running.delete(stop);
    await stop();
  }
}
