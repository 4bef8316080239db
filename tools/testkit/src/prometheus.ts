import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchServer } from './launch.js';
import { freePort, retryOnPortClash } from './ports.js';
import type { RunningProcess } from './process.js';
import { promApi, type PromApi } from './prom-api.js';
import { tempDir } from './tmp.js';

export interface PrometheusServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly process: RunningProcess;
  /** GET /api/v1/<path> and return `data`, failing on a non-success status. */
  readonly api: PromApi;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on a free loopback port (picked again when another process takes it first)
 * with a temp data dir. `config` is the YAML text of
 * prometheus.yml; `files` are written beside it (rule files referenced by relative path).
 *
 * @example
 * const prom = await startPrometheus(requireBinary('prometheus')!, 'scrape_configs: []\n');
 */
export async function startPrometheus(
  binary: string,
  config: string,
  files: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<PrometheusServer> {
  return retryOnPortClash(async () => launchPrometheus(binary, config, files, extraArgs));
}

async function launchPrometheus(
  binary: string,
  config: string,
  files: Record<string, string>,
  extraArgs: string[],
): Promise<PrometheusServer> {
  const port = await freePort();
  const dir = tempDir('prometheus');
  writeFileSync(join(dir.path, 'prometheus.yml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  const url = `http://127.0.0.1:${port}`;
  const server = await launchServer(
    binary,
    [
      `--config.file=${join(dir.path, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...extraArgs,
    ],
    dir,
    `${url}/-/ready`,
  );
  return {
    url,
    port,
    dir: dir.path,
    process: server.process,
    api: promApi(url),
    stop: server.stop,
  };
}
