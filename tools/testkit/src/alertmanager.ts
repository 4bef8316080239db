import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './launch.js';
import { freePorts } from './ports.js';
import type { RunningProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface AlertmanagerServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

/**
 * Starts Alertmanager on a free loopback port (its cluster port too) with a temp data dir;
 * `files` are written beside alertmanager.yml.
 *
 * @example
 * const am = await startAlertmanager(requireBinary('alertmanager')!, 'route: {receiver: x}\nreceivers: [{name: x}]\n');
 */
export async function startAlertmanager(
  binary: string,
  config: string,
  files: Record<string, string> = {},
): Promise<AlertmanagerServer> {
  const [port, clusterPort] = (await freePorts(2)) as [number, number];
  const dir = tempDir('alertmanager');
  writeFileSync(join(dir.path, 'alertmanager.yml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  const url = `http://127.0.0.1:${port}`;
  const server = await launch(
    binary,
    [
      `--config.file=${join(dir.path, 'alertmanager.yml')}`,
      `--storage.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--cluster.listen-address=127.0.0.1:${clusterPort}`,
      `--cluster.advertise-address=127.0.0.1:${clusterPort}`,
    ],
    dir,
    `${url}/-/ready`,
  );
  return { url, port, dir: dir.path, process: server.process, stop: server.stop };
}
