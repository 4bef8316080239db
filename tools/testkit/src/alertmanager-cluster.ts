import { setTimeout as sleep } from 'node:timers/promises';
import { launchAlertmanager, type AlertmanagerServer } from './alertmanager.js';
import { freePorts, retryOnPortClash } from './ports.js';

export interface AlertmanagerClusterOptions {
  /** How many peers gossip with each other; default 3, as in the production StatefulSet. */
  readonly peers?: number;
  /** Added to every peer's command line (e.g. `--cluster.peer-timeout=5s`). */
  readonly args?: readonly string[];
  /** Written beside every peer's alertmanager.yml (templates). */
  readonly files?: Readonly<Record<string, string>>;
  /** Wait until every peer reports the cluster `ready` with all peers; default true. */
  readonly settle?: boolean;
  readonly settleTimeoutMs?: number;
}

export interface AlertmanagerCluster {
  readonly peers: readonly AlertmanagerServer[];
  /** Stops every peer still running and removes their dirs. */
  stop(): Promise<void>;
}

interface ClusterStatus {
  readonly status: string;
  readonly peers: readonly unknown[];
}

async function clusterStatus(peer: AlertmanagerServer): Promise<ClusterStatus | undefined> {
  try {
    const res = await fetch(`${peer.url}/api/v2/status`);
    return ((await res.json()) as { cluster: ClusterStatus }).cluster;
  } catch {
    return undefined;
  }
}

/** Polls every peer until each says `ready` and sees all `count` members. */
async function settled(peers: readonly AlertmanagerServer[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: (ClusterStatus | undefined)[] = [];
  while (Date.now() < deadline) {
    last = await Promise.all(peers.map(clusterStatus));
    if (last.every((s) => s?.status === 'ready' && s.peers.length === peers.length)) return;
    await sleep(250);
  }
  const seen = last.map((s, i) => `${peers[i]?.url}: ${s?.status} ${s?.peers.length} peers`);
  throw new Error(`Alertmanager cluster not settled after ${timeoutMs} ms (${seen.join('; ')})`);
}

/**
 * Starts `peers` Alertmanagers on loopback that gossip silences and the notification log with
 * each other, each listing every peer with `--cluster.peer` (as the StatefulSet does), and waits
 * until the cluster has settled.
 *
 * @example
 * const cluster = await startAlertmanagerCluster(requireBinary('alertmanager')!, config, { peers: 3 });
 * await cluster.peers[0]!.process.stop('SIGKILL'); // a lost machine
 */
export async function startAlertmanagerCluster(
  binary: string,
  config: string,
  options: AlertmanagerClusterOptions = {},
): Promise<AlertmanagerCluster> {
  // Every peer lists every other's port, so a lost port starts the whole cluster again.
  return retryOnPortClash(async () => launchCluster(binary, config, options));
}

async function launchCluster(
  binary: string,
  config: string,
  options: AlertmanagerClusterOptions,
): Promise<AlertmanagerCluster> {
  const count = options.peers ?? 3;
  const ports = await freePorts(count * 2);
  const clusterPorts = ports.slice(count);
  const peerArgs = clusterPorts.map((port) => `--cluster.peer=127.0.0.1:${port}`);
  const started = await Promise.allSettled(
    clusterPorts.map((cluster, i) =>
      launchAlertmanager(binary, config, { web: ports[i] as number, cluster }, options.files, [
        ...peerArgs,
        ...(options.args ?? []),
      ]),
    ),
  );
  const peers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(peers.map((p) => p.stop()));
  };
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (options.settle ?? true) await settled(peers, options.settleTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { peers, stop };
}
