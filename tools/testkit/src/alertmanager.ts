import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startProcess, waitForHttp, type RunningProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface AlertmanagerServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

/** Starts Alertmanager (Debian binary `prometheus-alertmanager`) on a free loopback port. */
export async function startAlertmanager(
  binary: string,
  config: string,
  files: Record<string, string> = {},
): Promise<AlertmanagerServer> {
  const port = await freePort();
  const clusterPort = await freePort();
  const dir = tempDir('alertmanager');
  writeFileSync(join(dir.path, 'alertmanager.yml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  const proc = startProcess(
    binary,
    [
      `--config.file=${join(dir.path, 'alertmanager.yml')}`,
      `--storage.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--cluster.listen-address=127.0.0.1:${clusterPort}`,
      '--cluster.advertise-address=127.0.0.1:' + String(clusterPort),
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
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
