// Starts a driver's app for one test: a fresh registry, the hang probe, response tracking.
import type { Server, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { closeServer, trackResponses, urlOf } from './server.js';
import type { AdapterDriver, ConformanceApp, ConformanceOptions } from './types.js';

/** The service label every conformance app records. */
export const SERVICE = 'conformance';

/** A request that reached `/hang` or `/stalled`. */
export interface HungRequest {
  readonly res: ServerResponse;
  readonly body: string | undefined;
  /** Whether the response had started (headers sent) when the handler began to hang. */
  readonly started: boolean;
}

export interface RunningApp {
  readonly url: string;
  readonly server: Server;
  /** The registry the adapter records into (the one of `metrics` when that option is given). */
  readonly registry: Registry;
  /** Resolves once the server has closed every response it started. */
  settled(): Promise<void>;
  /** Resolves with the next request that reaches a hanging handler (or one that already did). */
  nextHung(): Promise<HungRequest>;
}

/** Starting and stopping a driver's apps; `closeAll()` belongs in `afterEach`. */
export interface Harness<M extends object> {
  /** `mount`: the adapter and the routes in a context mounted there (see `AdapterDriver`). */
  start(options?: ConformanceOptions<M>, registry?: Registry, mount?: string): Promise<RunningApp>;
  closeAll(): Promise<void>;
}

/** A queue of the requests that reached a hanging handler. */
function hangProbe() {
  const arrived: HungRequest[] = [];
  const waiting: ((hung: HungRequest) => void)[] = [];
  return {
    hang(res: ServerResponse, body?: string): Promise<void> {
      const hung = { res, body, started: res.headersSent };
      const waiter = waiting.shift();
      if (waiter) waiter(hung);
      else arrived.push(hung);
      return new Promise<void>((resolve) => {
        if (res.closed) resolve();
        else res.once('close', () => resolve());
      });
    },
    next(): Promise<HungRequest> {
      const hung = arrived.shift();
      return hung ? Promise.resolve(hung) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/**
 * A harness for `driver`: each `start()` records into a fresh registry (or the given one) with
 * the service name `conformance`, unless `options` bring their own `metrics`.
 *
 * @example
 * const { start, closeAll } = harness(driver);
 * afterEach(closeAll);
 */
export function harness<M extends object>(driver: AdapterDriver<M>): Harness<M> {
  const apps: ConformanceApp[] = [];
  return {
    async start(options = {}, registry = new Registry(), mount?: string) {
      const probe = hangProbe();
      const base = options.metrics
        ? {}
        : { serviceName: SERVICE, registry, collectDefaultMetrics: false };
      const app = await driver.start({ ...base, ...options }, { hang: probe.hang }, mount);
      apps.push(app);
      const { settled } = trackResponses(app.server);
      return {
        url: urlOf(app.server),
        server: app.server,
        registry,
        settled,
        nextHung: probe.next,
      };
    },
    async closeAll() {
      for (const app of apps.splice(0)) {
        await app.close();
        await closeServer(app.server); // in case the framework left connections open
      }
    },
  };
}
