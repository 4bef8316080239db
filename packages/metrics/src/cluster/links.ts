// Primary side: finds the workers that publish metrics and carries messages to and from them.
// Cluster workers (Node's cluster module, which PM2's cluster mode also uses) over their IPC
// channel; worker threads over BroadcastChannels, found through the process' `worker` event so
// their exit is seen.
import type { Cluster, Worker as ClusterWorker } from 'node:cluster';
import { createRequire } from 'node:module';
import { BroadcastChannel, isMainThread, type Worker } from 'node:worker_threads';
import {
  DISCOVER,
  HELLO,
  PART,
  REQUEST,
  THREAD_HELLOS,
  THREAD_REQUESTS,
  isMessage,
  threadReplies,
  type Hello,
  type SnapshotPart,
} from './protocol.js';

/** A worker the primary can ask for snapshots. */
export interface WorkerLink {
  readonly key: string;
  request(id: number): void;
}

export interface LinkEvents {
  join(link: WorkerLink): void;
  part(key: string, part: SnapshotPart): void;
  leave(key: string): void;
  /** A worker thread started before the primary's listener answered: it cannot be followed. */
  unknownThread(threadId: number): void;
}

export interface Transport {
  close(): void;
}

const noop = (): void => {};

// Loaded on first use, as prom-client does: some hosts (Passenger) crash when it is imported.
let loaded: Cluster | undefined;
/** Node's cluster module. */
export function clusterModule(): Cluster {
  loaded ??= createRequire(import.meta.url)('node:cluster') as Cluster;
  return loaded;
}

/** Cluster workers; a no-op transport in a cluster worker or a worker thread. */
export function clusterTransport(events: LinkEvents): Transport {
  if (!isMainThread) return { close: noop };
  const cluster = clusterModule();
  if (!cluster.isPrimary) return { close: noop };
  const joined = new Set<number>();
  const keyOf = (worker: ClusterWorker): string => `cluster:${worker.id}`;
  const linkOf = (worker: ClusterWorker): WorkerLink => ({
    key: keyOf(worker),
    // With a callback, a closed channel is an error passed to it, not an 'error' event.
    request: (id) => {
      if (worker.isConnected()) worker.send({ type: REQUEST, id }, undefined, noop);
    },
  });
  const onMessage = (worker: ClusterWorker, message: unknown): void => {
    if (isMessage<Hello>(message, HELLO)) {
      if (joined.has(worker.id)) return;
      joined.add(worker.id);
      events.join(linkOf(worker));
    } else if (isMessage<SnapshotPart>(message, PART)) {
      events.part(keyOf(worker), message);
    }
  };
  const onExit = (worker: ClusterWorker): void => {
    if (joined.delete(worker.id)) events.leave(keyOf(worker));
  };
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  // Workers started before us said hello to nobody: ask them again.
  for (const worker of Object.values(cluster.workers ?? {})) {
    if (worker?.isConnected()) worker.send({ type: DISCOVER }, undefined, noop);
  }
  return {
    close() {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    },
  };
}

interface Unrefable {
  unref?(): void;
}

function channel(name: string): BroadcastChannel {
  const made = new BroadcastChannel(name);
  // The primary's listeners never keep the process alive.
  (made as Unrefable).unref?.();
  return made;
}

/** Worker threads started (from this thread) after the transport. */
export function threadTransport(events: LinkEvents): Transport {
  if (!isMainThread) return { close: noop };
  const started = new Set<number>();
  const replies = new Map<number, BroadcastChannel>();
  const requests = channel(THREAD_REQUESTS);
  const hellos = channel(THREAD_HELLOS);
  const keyOf = (threadId: number): string => `thread:${threadId}`;
  const leave = (threadId: number): void => {
    started.delete(threadId);
    const reply = replies.get(threadId);
    if (!reply) return;
    reply.close();
    replies.delete(threadId);
    events.leave(keyOf(threadId));
  };
  const onWorker = (worker: Worker): void => {
    // threadId reads -1 once the thread has exited: keep it now.
    const threadId = worker.threadId;
    started.add(threadId);
    worker.once('exit', () => leave(threadId));
  };
  hellos.onmessage = (event: MessageEvent) => {
    const hello: unknown = event.data;
    if (!isMessage<Hello>(hello, HELLO) || typeof hello.threadId !== 'number') return;
    const threadId = hello.threadId;
    if (replies.has(threadId)) return;
    if (!started.has(threadId)) {
      events.unknownThread(threadId);
      return;
    }
    const reply = channel(threadReplies(threadId));
    reply.onmessage = (message: MessageEvent) => {
      const part: unknown = message.data;
      if (isMessage<SnapshotPart>(part, PART)) events.part(keyOf(threadId), part);
    };
    replies.set(threadId, reply);
    events.join({
      key: keyOf(threadId),
      request: (id) => requests.postMessage({ type: REQUEST, id, threadId }),
    });
  };
  process.on('worker', onWorker);
  return {
    close() {
      process.off('worker', onWorker);
      requests.close();
      hellos.close();
      for (const reply of replies.values()) reply.close();
      replies.clear();
    },
  };
}
