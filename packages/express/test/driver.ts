// The conformance driver of the Express adapter: one app with the suite's routes, any major.
import { Readable } from 'node:stream';
import { createMetrics, type Metrics } from '@ai-orchestrator/metrics';
import {
  errorOf,
  listen,
  readBody,
  STALLED_CHUNK,
  STREAM_CHUNKS,
  type AdapterDriver,
} from '@ai-orchestrator/testkit/conformance';
import type express from 'express';
import { createMetricsMiddleware } from '../src/index.js';
import type { ExpressMonitoringOptions } from '../src/types.js';

/** The `express` export of either major, seen through the Express 5 types. */
export type Express = typeof express;

/** Rejects on a later turn, like an async handler whose awaited call failed. */
async function failLater(): Promise<never> {
  await new Promise((resolve) => setImmediate(resolve));
  throw new Error('async boom');
}

export function expressDriver(name: string, expressOf: Express): AdapterDriver<Metrics> {
  return {
    name,
    entryPoint: 'createMetricsMiddleware',
    createMetrics,
    start(options, hooks, mount) {
      const root = expressOf();
      // Under a mount: a router mounted at it, with the middleware used inside the router.
      const app: express.IRouter = mount === undefined ? root : expressOf.Router();
      if (mount !== undefined) root.use(mount, app);
      app.use(createMetricsMiddleware(options));
      app.get('/ok', (_req, res) => {
        res.send('ok');
      });
      app.get('/users/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      app.get('/throw', () => {
        throw new Error('sync boom');
      });
      // Express 4 ignores a returned promise: a rejection reaches it only through next().
      app.get('/reject', (_req, _res, next) => {
        failLater().catch(next);
      });
      app.get('/stream', (_req, res) => {
        Readable.from(STREAM_CHUNKS).pipe(res);
      });
      app.get('/stalled', (_req, res) => {
        res.write(STALLED_CHUNK);
        void hooks.hang(res);
      });
      app.all('/hang', (req, res) => {
        void readBody(req)
          .then((body) => hooks.hang(res, body))
          .then(() => res.send('late'));
      });
      app.post('/echo', (req, res, next) => {
        readBody(req).then((body) => res.send(body), next);
      });
      return listen(root);
    },
    setupError: (options) =>
      errorOf(() => createMetricsMiddleware(options as ExpressMonitoringOptions)),
  };
}
