// The contract between the adapter conformance suite and a framework: one driver per adapter.
import type { Server, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** Credentials for the in-app metrics path, as the adapters take them. */
export type ConformanceAuth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string };

/** The options every adapter shares; `M` is what the core's `createMetrics()` returns. */
export interface ConformanceOptions<M> {
  readonly serviceName?: string;
  readonly registry?: Registry;
  readonly metrics?: M;
  readonly collectDefaultMetrics?: boolean;
  /** Record the opt-in body-size histograms. */
  readonly httpBodySizes?: boolean;
  readonly ignorePaths?: readonly (string | RegExp)[];
  readonly metricsPath?: string | false;
  readonly auth?: ConformanceAuth;
}

/** What the core's `createMetrics()` is called with by the suite. */
export interface CoreMetricsOptions {
  readonly serviceName: string;
  readonly registry: Registry;
  readonly collectDefaultMetrics: false;
}

/** Calls the suite passes to the app's routes, so it knows where a request is. */
export interface ConformanceHooks {
  /**
   * Called by the `/hang` and `/stalled` handlers once they run (`/hang` after reading the
   * request body, passed as `body`); resolves when the response has closed, because the client
   * left or the server timed it out. `/hang` then answers anyway, as a slow handler would.
   */
  hang(res: ServerResponse, body?: string): Promise<void>;
}

/** An app the driver started, listening on 127.0.0.1. */
export interface ConformanceApp {
  readonly server: Server;
  /** Stops the app and closes every connection it still holds. */
  close(): Promise<void>;
}

/**
 * One framework major under test. `start` builds an app with the adapter created from `options`
 * (mounted before every route) and the routes of `ROUTES` (see routes.ts), listening on
 * 127.0.0.1 on a free port. With `mount` (`/api`), the adapter and the routes live in a context
 * mounted at that path, the framework's own way (Express: a router `app.use(mount, router)` with
 * `router.use(adapter)`; Fastify: a plugin registered with `{ prefix: mount }`; Koa: an app
 * mounted with koa-mount), and the root app serves nothing else.
 */
export interface AdapterDriver<M extends object> {
  /** Shown in the test names, e.g. `Express 5`. */
  readonly name: string;
  /** The name the adapter's option errors start with, e.g. `createMetricsMiddleware`. */
  readonly entryPoint: string;
  /**
   * The core's `createMetrics` from `@ai-orchestrator/metrics`. The driver passes it in because
   * the testkit cannot depend on the metrics package, whose own tests use the testkit.
   */
  createMetrics(options: CoreMetricsOptions): M;
  start(
    options: ConformanceOptions<M>,
    hooks: ConformanceHooks,
    mount?: string,
  ): Promise<ConformanceApp>;
  /** What the adapter reports for `options`: the error it throws, or the one startup fails with. */
  setupError(options: unknown): Promise<unknown>;
}
