// The state of the store's Redis connection: ready or not, and why not (the last connection error,
// e.g. WRONGPASS or a certificate error), so a failed call names the real cause.
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/** A pipelined command's outcome: its error, or null and its value. */
export type Reply = [error: Error | null, value: unknown];

export interface Connection {
  /** Resolves when commands can be sent; rejects at once, naming the cause, while Redis is down. */
  ready(signal?: AbortSignal): Promise<void>;
  /** Runs a pipeline; when `signal` aborts, a connection the store owns is dropped and reopened. */
  exec(pipeline: ChainableCommander, signal?: AbortSignal): Promise<unknown[]>;
  /** Like `exec`, but a command's error is its reply, `[error, undefined]`, not a rejection. */
  execEach(pipeline: ChainableCommander, signal?: AbortSignal): Promise<Reply[]>;
}

function notReady(client: RedisClient, cause: Error | undefined): Error {
  const why = cause ? `: ${cause.message}` : '';
  return new Error(`redis is not ready (${client.status})${why}`, { cause });
}

function aborted(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('store call aborted');
}

/** A Cluster's "all nodes failed" error says why only in `lastNodeError` (e.g. WRONGPASS). */
function withNodeCause(error: Error): Error {
  const node = (error as { lastNodeError?: unknown }).lastNodeError;
  if (!(node instanceof Error)) return error;
  return new Error(`${error.message} Last node error: ${node.message}`, { cause: node });
}

/** Watches `client`. Only a client the store created gets listeners (the user's keeps its logging). */
export function watchConnection(client: RedisClient, owned: boolean): Connection {
  let everReady = client.status === 'ready';
  let lastError: Error | undefined;
  // A Cluster reports each node's connection errors apart (a node refusing the password, …): they
  // explain a failed call, but one dead startup node must not fail the first connection.
  let lastNodeError: Error | undefined;
  if (owned) {
    // Remembered for the next failed call; also stops ioredis's "Unhandled error event" log.
    client.on('error', (error: Error) => (lastError = withNodeCause(error)));
    client.on('node error', (error: Error) => (lastNodeError = error));
    client.on('ready', () => {
      everReady = true;
      lastError = undefined;
      lastNodeError = undefined;
    });
  } else {
    client.once('ready', () => (everReady = true));
  }

  function firstConnection(signal?: AbortSignal): Promise<void> {
    if (client.status === 'wait') client.connect().catch(() => undefined); // lazyConnect
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        client.off('ready', onReady);
        if (owned) client.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onReady = (): void => done();
      const onError = (error: Error): void => done(notReady(client, withNodeCause(error)));
      const onAbort = (): void => done(aborted(signal!));
      client.once('ready', onReady);
      if (owned) client.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    ready(signal) {
      if (signal?.aborted) return Promise.reject(aborted(signal));
      if (client.status === 'ready') return Promise.resolve();
      // An outage fails fast; only the very first connection is worth waiting for.
      if (everReady || lastError || client.status === 'end') {
        return Promise.reject(notReady(client, lastError ?? lastNodeError));
      }
      return firstConnection(signal);
    },
    async exec(pipeline, signal) {
      const results = await this.execEach(pipeline, signal);
      const failed = results.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
      return results.map(([, value]) => value);
    },
    async execEach(pipeline, signal) {
      const onAbort = (): void => {
        if (!owned) return;
        lastError = aborted(signal!);
        // A stuck connection (a frozen server) holds every queued command; a fresh one frees them.
        client.disconnect(true);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return ((await pipeline.exec()) ?? []) as Reply[];
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
