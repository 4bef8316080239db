import { freePorts, retryOnPortClash } from './ports.js';
import { startRedis, type RedisServer } from './redis.js';
import { parseInfo, redisCli, waitFor } from './redis-cli.js';

export interface RedisClusterOptions {
  /** Masters sharing the 16384 slots (default 3). */
  readonly masters?: number;
  /** Replicas of each master (default 1). */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a silent master takes to be failed over (default 1000 ms). */
  readonly nodeTimeoutMs?: number;
}

/** One line of `CLUSTER NODES`, as a live node sees the cluster. */
export interface ClusterNodeInfo {
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** The master's id, for a replica. */
  readonly masterId: string | undefined;
  /** Flagged `fail` or `fail?` (unreachable). */
  readonly failing: boolean;
  /** Slot ranges served, inclusive. */
  readonly slots: readonly (readonly [number, number])[];
}

export interface RedisCluster {
  /** Every redis-server of the cluster; kill() / restart() one to simulate a crash. */
  readonly nodes: readonly RedisServer[];
  /** Startup nodes for a cluster client (ioredis `new Cluster(startupNodes)`). */
  readonly startupNodes: readonly { readonly host: string; readonly port: number }[];
  /** `CLUSTER NODES` as the first live node sees it. */
  topology(): Promise<ClusterNodeInfo[]>;
  /** `CLUSTER KEYSLOT key`. */
  keySlot(key: string): Promise<number>;
  /** The node serving `slot` as master. */
  masterOf(slot: number): Promise<RedisServer>;
  /** Manual failover (`CLUSTER FAILOVER` on a replica of the slot's master); resolves with the new master once every live node agrees. */
  failover(slot: number): Promise<RedisServer>;
  /** SIGKILLs the slot's master and resolves with it once a replica is promoted and the cluster is ok. */
  killMaster(slot: number): Promise<RedisServer>;
  /** Every live node says `cluster_state:ok` and agrees on the master of every slot. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Parses `CLUSTER NODES`. */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.split(' ');
      const port = Number(/:(\d+)@/.exec(address)?.[1]);
      const flagSet = new Set(flags.split(','));
      return {
        id,
        port,
        role: flagSet.has('master') ? 'master' : 'replica',
        masterId: master === '-' ? undefined : master,
        failing: flagSet.has('fail') || flagSet.has('fail?'),
        slots: slots
          .filter((s) => /^\d/.test(s))
          .map((s) => {
            const [from, to = from] = s.split('-').map(Number);
            return [from!, to!] as const;
          }),
      };
    });
}

const serves = (node: ClusterNodeInfo, slot: number): boolean =>
  node.slots.some(([from, to]) => slot >= from && slot <= to);

const alive = (server: RedisServer): boolean =>
  server.process.child.exitCode === null && server.process.child.signalCode === null;

/**
 * Starts a Redis Cluster on loopback: `masters × (1 + replicasPerMaster)` redis-server processes
 * with `--cluster-enabled yes` on free ports and temp dirs, joined by
 * `redis-cli --cluster create … --cluster-replicas N --cluster-yes`.
 *
 * @example
 * const cluster = await startRedisCluster(requireBinary('redis-server')!, requireBinary('redis-cli')!);
 * const client = new Cluster([...cluster.startupNodes]);
 */
export async function startRedisCluster(
  server: string,
  cli: string,
  options: RedisClusterOptions = {},
): Promise<RedisCluster> {
  const { masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 1000 } = options;
  const nodes: RedisServer[] = [];
  const cluster = clusterHandle(nodes, cli);
  try {
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      const node = retryOnPortClash(async () => {
        // An explicit bus port (the default, port + 10000, may be past 65535 or taken), picked
        // together with the client port so that the two differ.
        const [port, bus] = (await freePorts(2)) as [number, number];
        const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
        args.push('--cluster-node-timeout', String(nodeTimeoutMs), '--cluster-port', String(bus));
        return startRedis(server, port, { args });
      });
      nodes.push(await node);
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await redisCli(
      cli,
      nodes[0]!.port,
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster)].concat(
        '--cluster-yes',
      ),
      60_000,
    );
    await cluster.waitHealthy();
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

function clusterHandle(nodes: RedisServer[], cli: string): RedisCluster {
  const byPort = (port: number): RedisServer => {
    const found = nodes.find((n) => n.port === port);
    if (!found) throw new Error(`no cluster node on port ${port}`);
    return found;
  };
  const viewOf = async (node: RedisServer) =>
    parseClusterNodes(await redisCli(cli, node.port, ['cluster', 'nodes']));
  const topology = async () => viewOf(nodes.find(alive)!);
  const masterIn = (view: ClusterNodeInfo[], slot: number) =>
    view.find((n) => n.role === 'master' && !n.failing && serves(n, slot));

  /**
   * The slot map every live node agrees on (each node says `cluster_state:ok` and its view of which
   * port serves each slot range is the same), or undefined while they do not.
   */
  const agreedMap = async (): Promise<ClusterNodeInfo[] | undefined> => {
    const signatures = new Set<string>();
    let view: ClusterNodeInfo[] = [];
    for (const node of nodes.filter(alive)) {
      const info = parseInfo(await redisCli(cli, node.port, ['cluster', 'info']));
      if (info.cluster_state !== 'ok') return undefined;
      view = await viewOf(node);
      const ranges = view
        .filter((n) => n.role === 'master' && !n.failing)
        .flatMap((n) => n.slots.map(([from, to]) => `${from}-${to}:${n.port}`));
      signatures.add(ranges.sort().join(' '));
    }
    return signatures.size === 1 ? view : undefined;
  };
  const agreed = async (slot: number): Promise<number | undefined> => {
    const view = await agreedMap();
    return view && masterIn(view, slot)?.port;
  };

  return {
    nodes,
    get startupNodes() {
      return nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
    },
    topology,
    async keySlot(key) {
      return Number(await redisCli(cli, nodes.find(alive)!.port, ['cluster', 'keyslot', key]));
    },
    async masterOf(slot) {
      const master = masterIn(await topology(), slot);
      if (!master) throw new Error(`no master serves slot ${slot}`);
      return byPort(master.port);
    },
    async failover(slot) {
      const view = await topology();
      const master = masterIn(view, slot);
      const replica = view.find((n) => n.masterId === master?.id && !n.failing);
      if (!master || !replica) throw new Error(`slot ${slot}: no master with a live replica`);
      await redisCli(cli, replica.port, ['cluster', 'failover']);
      await waitFor(`replica ${replica.port} promoted for slot ${slot}`, async () =>
        (await agreed(slot)) === replica.port ? true : undefined,
      );
      return byPort(replica.port);
    },
    async killMaster(slot) {
      const killed = await this.masterOf(slot);
      await killed.kill();
      await waitFor(`a replica promoted after killing ${killed.port}`, async () => {
        const port = await agreed(slot);
        return port !== undefined && port !== killed.port ? port : undefined;
      });
      return killed;
    },
    async waitHealthy(timeoutMs = 30_000) {
      await waitFor('every live node agreeing on one slot map', agreedMap, timeoutMs);
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
