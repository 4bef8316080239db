import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchServer } from './launch.js';
import { freePorts, retryOnPortClash } from './ports.js';
import type { RunningProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface AlertmanagerServer {
  readonly url: string;
  readonly port: number;
  /** The gossip port (`--cluster.listen-address`). */
  readonly clusterPort: number;
  readonly dir: string;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

/**
 * Starts one Alertmanager on the given loopback ports with a temp data dir; `files` are written
 * beside alertmanager.yml, `args` (e.g. `--cluster.peer=…`) are added to the command line.
 */
export async function launchAlertmanager(
  binary: string,
  config: string,
  ports: { readonly web: number; readonly cluster: number },
  files: Readonly<Record<string, string>> = {},
  args: readonly string[] = [],
): Promise<AlertmanagerServer> {
  const dir = tempDir('alertmanager');
  writeFileSync(join(dir.path, 'alertmanager.yml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  const url = `http://127.0.0.1:${ports.web}`;
  const server = await launchServer(
    binary,
    [
      `--config.file=${join(dir.path, 'alertmanager.yml')}`,
      `--storage.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${ports.web}`,
      `--cluster.listen-address=127.0.0.1:${ports.cluster}`,
      `--cluster.advertise-address=127.0.0.1:${ports.cluster}`,
      ...args,
    ],
    dir,
    `${url}/-/ready`,
  );
  return {
    url,
    port: ports.web,
    clusterPort: ports.cluster,
    dir: dir.path,
    process: server.process,
    stop: server.stop,
  };
}

/**
 * Starts Alertmanager on free loopback ports (web and cluster; picked again when another process
 * takes one first) with a temp data dir;
 * `files` are written beside alertmanager.yml.
 *
 * @example
 * const am = await startAlertmanager(requireBinary('alertmanager')!, 'route: {receiver: x}\nreceivers: [{name: x}]\n');
 */
export async function startAlertmanager(
  binary: string,
  config: string,
  files: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<AlertmanagerServer> {
  return retryOnPortClash(async () => {
    const [web, cluster] = (await freePorts(2)) as [number, number];
    return launchAlertmanager(binary, config, { web, cluster }, files, args);
  });
}
