import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startProcess, waitForHttp, type RunningProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface PrometheusServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly process: RunningProcess;
  /** GET /api/v1/<path> and return `data`, failing on a non-success status. */
  api<T = unknown>(path: string, params?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on a free loopback port with a temp data dir. `config` is the YAML text of
 * prometheus.yml; `files` are written beside it (rule files referenced by relative path).
 */
export async function startPrometheus(
  binary: string,
  config: string,
  files: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<PrometheusServer> {
  const port = await freePort();
  const dir = tempDir('prometheus');
  writeFileSync(join(dir.path, 'prometheus.yml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  const proc = startProcess(
    binary,
    [
      `--config.file=${join(dir.path, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...extraArgs,
    ],
    { cwd: dir.path },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/-/ready`, proc);
  } catch (error) {
    await proc.stop();
    dir.remove();
    throw error;
  }
  return {
    url,
    port,
    dir: dir.path,
    process: proc,
    async api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
      const query = new URLSearchParams(params).toString();
      const res = await fetch(`${url}/api/v1/${path}${query ? `?${query}` : ''}`);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success')
        throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
      return body.data;
    },
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
