// Worker side: answers the cluster primary's requests with a snapshot of the registries that
// createMetrics recorded into in this worker. A cluster worker (also under PM2) talks over its IPC
// channel; a worker thread over BroadcastChannels, so its parentPort carries only the app's own
// messages. One publisher per thread, shared by every loaded copy of this package (ESM and CJS),
// so each request gets one answer. Until a primary asks, it does nothing.
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { seriesBudgets } from '../state.js';
import { clusterModule } from './links.js';
import type { AnyRegistry } from '../types.js';
import {
  DISCOVER,
  HELLO,
  PART,
  REQUEST,
  THREAD_HELLOS,
  THREAD_REQUESTS,
  isMessage,
  threadReplies,
  type FamilySnapshot,
  type SnapshotPart,
  type SnapshotRequest,
} from './protocol.js';
import { snapshotParts } from './snapshot.js';

type Message = SnapshotPart | { readonly type: typeof HELLO; readonly threadId?: number };

interface Channel {
  send(message: Message): Promise<void>;
}

const noop = (): void => {};
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function clusterChannel(onRequest: (id: number) => void): Channel {
  const send = (message: Message): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (!process.connected || typeof process.send !== 'function') {
        reject(new Error('the IPC channel to the primary is closed'));
        return;
      }
      // The callback runs once the message is written: the next part waits for it.
      process.send(message, undefined, {}, (error: Error | null) =>
        error ? reject(error) : resolve(),
      );
    });
  const hello = (): void => void send({ type: HELLO }).catch(noop);
  process.on('message', (message: unknown) => {
    if (isMessage<SnapshotRequest>(message, REQUEST)) onRequest(message.id);
    else if (isMessage(message, DISCOVER)) hello();
  });
  hello();
  return { send };
}

interface Unrefable {
  unref?(): void;
}

function threadChannel(onRequest: (id: number) => void): Channel {
  const requests = new BroadcastChannel(THREAD_REQUESTS);
  const replies = new BroadcastChannel(threadReplies(threadId));
  // Neither keeps the thread alive.
  (requests as Unrefable).unref?.();
  (replies as Unrefable).unref?.();
  requests.onmessage = (event: MessageEvent) => {
    const message: unknown = event.data;
    if (isMessage<SnapshotRequest>(message, REQUEST) && message.threadId === threadId) {
      onRequest(message.id);
    }
  };
  const hellos = new BroadcastChannel(THREAD_HELLOS);
  hellos.postMessage({ type: HELLO, threadId });
  hellos.close();
  return {
    send: (message) => {
      replies.postMessage(message);
      return Promise.resolve();
    },
  };
}

/** The registries of one worker, and its answers to the primary. */
class Publisher {
  readonly #registries = new Set<WeakRef<AnyRegistry>>();
  readonly #channel: Channel;
  #latest = -1;

  constructor(kind: 'cluster' | 'thread') {
    const onRequest = (id: number): void => {
      this.#latest = id;
      this.#answer(id).catch(noop);
    };
    this.#channel = kind === 'cluster' ? clusterChannel(onRequest) : threadChannel(onRequest);
  }

  add(registry: AnyRegistry): void {
    for (const ref of this.#registries) if (ref.deref() === registry) return;
    this.#registries.add(new WeakRef(registry));
  }

  /** Live registries (a registry nobody holds any more is forgotten). */
  #live(): AnyRegistry[] {
    const live: AnyRegistry[] = [];
    for (const ref of this.#registries) {
      const registry = ref.deref();
      if (registry) live.push(registry);
      else this.#registries.delete(ref);
    }
    return live;
  }

  async #answer(id: number): Promise<void> {
    const send = (part: Omit<SnapshotPart, 'type' | 'id'>): Promise<void> =>
      this.#channel.send({ type: PART, id, ...part });
    const takenAt = Date.now();
    const registries = this.#live();
    let held: FamilySnapshot[] | undefined;
    try {
      for await (const families of snapshotParts(registries)) {
        // A newer request means the primary gave up on this one.
        if (this.#latest !== id) return;
        if (held) await send({ last: false, families: held });
        held = families;
        await yieldToEventLoop();
      }
      const budgets = Object.assign({}, ...registries.map(seriesBudgets)) as Record<string, number>;
      await send({ last: true, families: held ?? [], budgets, pid: process.pid, takenAt });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await send({ last: true, families: [], error: message }).catch(noop);
    }
  }
}

const KEY = Symbol.for('@ai-orchestrator/metrics.cluster-publisher');
type Holder = { [KEY]?: Publisher | null };

function role(): 'cluster' | 'thread' | undefined {
  if (!isMainThread) return 'thread';
  // A process cluster.fork() started (PM2's cluster mode too).
  return clusterModule().isWorker && typeof process.send === 'function' ? 'cluster' : undefined;
}

/**
 * Offers `registry` to the cluster primary when this is a cluster worker or a worker thread; a
 * no-op in any other process. createMetrics calls it for the registry it records into.
 *
 * @example
 * publishRegistry(registry);
 */
export function publishRegistry(registry: AnyRegistry): void {
  const holder = globalThis as Holder;
  if (holder[KEY] === undefined) {
    const kind = role();
    holder[KEY] = kind === undefined ? null : new Publisher(kind);
  }
  holder[KEY]?.add(registry);
}
