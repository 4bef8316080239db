// A server the testkit does not start the way these tests need: a Prometheus behind basic auth or
// on a backfilled data directory (Alertmanager peers gossiping on loopback are the testkit's
// startAlertmanagerCluster). Real binaries, free loopback ports, temp directories, stopped by the test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  launchServer,
  retryOnPortClash,
  tempDir,
  type RunningProcess,
} from '@ai-orchestrator/testkit';

export interface Server {
  readonly url: string;
  readonly dir: string;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  readonly config: string;
  /** Files beside prometheus.yml (rule files, web.yml). */
  readonly files?: Readonly<Record<string, string>>;
  /** Fills the empty data directory before start (e.g. promtool tsdb create-blocks-from). */
  readonly fillData?: (dataDir: string) => void;
  /** `--web.config.file` content (TLS, basic auth), and the header that passes it. */
  readonly webConfig?: string;
  readonly headers?: Record<string, string>;
  readonly args?: readonly string[];
}

/**
 * Starts Prometheus on a free loopback port (picked again when another process takes it first)
 * with the given config and data.
 */
export async function startPrometheusWith(binary: string, o: PrometheusOptions): Promise<Server> {
  return retryOnPortClash(async () => {
    const port = await freePort();
    const dir = tempDir('prometheus-with');
    const data = join(dir.path, 'data');
    mkdirSync(data);
    o.fillData?.(data);
    writeFileSync(join(dir.path, 'prometheus.yml'), o.config);
    for (const [name, text] of Object.entries(o.files ?? {}))
      writeFileSync(join(dir.path, name), text);
    const args = [
      `--config.file=${join(dir.path, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(o.args ?? []),
    ];
    if (o.webConfig !== undefined) {
      writeFileSync(join(dir.path, 'web.yml'), o.webConfig);
      args.push(`--web.config.file=${join(dir.path, 'web.yml')}`);
    }
    const url = `http://127.0.0.1:${port}`;
    const server = await launchServer(binary, args, dir, `${url}/-/ready`, {
      ...(o.headers ? { headers: o.headers } : {}),
    });
    return { url, dir: dir.path, process: server.process, stop: server.stop };
  });
}
