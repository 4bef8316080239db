import { freePort, retryOnPortClash } from './ports.js';
import { launchServer } from './launch.js';
import type { RunningProcess } from './process.js';
import { promApi, type PromApi } from './prom-api.js';
import { tempDir } from './tmp.js';

export interface VictoriaMetricsOptions {
  /** `-dedup.minScrapeInterval`: samples of one series closer than this are deduplicated
   * (the HA pair's replicas write the same series); unset = no deduplication. */
  readonly dedupMinScrapeInterval?: string;
  /** `-search.latencyOffset`; default 0s so a test reads what it has just written. */
  readonly latencyOffset?: string;
  readonly extraArgs?: readonly string[];
}

export interface VictoriaMetricsServer {
  readonly url: string;
  /** Prometheus remote_write target. */
  readonly remoteWriteUrl: string;
  readonly port: number;
  readonly dir: string;
  readonly process: RunningProcess;
  /** GET /api/v1/<path> (the Prometheus query API) and return `data`. */
  readonly api: PromApi;
  stop(): Promise<void>;
}

/**
 * Starts single-node VictoriaMetrics on a free loopback port (picked again when another process
 * takes it first) with a temp data dir.
 *
 * @example
 * const vm = await startVictoriaMetrics(requireBinary('victoria-metrics')!, { dedupMinScrapeInterval: '1s' });
 * // remote_write: [{ url: vm.remoteWriteUrl }]
 */
export async function startVictoriaMetrics(
  binary: string,
  options: VictoriaMetricsOptions = {},
): Promise<VictoriaMetricsServer> {
  return retryOnPortClash(async () => launchVictoriaMetrics(binary, options));
}

async function launchVictoriaMetrics(
  binary: string,
  options: VictoriaMetricsOptions,
): Promise<VictoriaMetricsServer> {
  const port = await freePort();
  const dir = tempDir('victoria-metrics');
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${dir.path}/data`,
    `-search.latencyOffset=${options.latencyOffset ?? '0s'}`,
    ...(options.dedupMinScrapeInterval
      ? [`-dedup.minScrapeInterval=${options.dedupMinScrapeInterval}`]
      : []),
    ...(options.extraArgs ?? []),
  ];
  const server = await launchServer(binary, args, dir, `${url}/health`);
  return {
    url,
    remoteWriteUrl: `${url}/api/v1/write`,
    port,
    dir: dir.path,
    process: server.process,
    api: promApi(url),
    stop: server.stop,
  };
}
