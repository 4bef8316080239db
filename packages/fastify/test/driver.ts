// The conformance driver of the Fastify plugin: one app with the suite's routes, any major.
import { PassThrough, Readable } from 'node:stream';
import { createMetrics, type Metrics } from '@ai-orchestrator/metrics';
import {
  errorOf,
  STALLED_CHUNK,
  STREAM_CHUNKS,
  type AdapterDriver,
  type ConformanceHooks,
} from '@ai-orchestrator/testkit/conformance';
import type Fastify5 from 'fastify';
import type { FastifyInstance } from 'fastify';
import { fastifyMonitoring, type FastifyMonitoringOptions } from '../src/index.js';

/** The `fastify()` factory of either major, seen through the Fastify 5 types. */
export type FastifyFactory = typeof Fastify5;

export function fastifyDriver(name: string, fastify: FastifyFactory): AdapterDriver<Metrics> {
  return {
    name,
    entryPoint: 'fastifyMonitoring',
    createMetrics,
    async start(options, hooks, mount) {
      const root = fastify();
      if (mount === undefined) await routes(root, options, hooks);
      // Under a mount: an encapsulated plugin registered with that prefix.
      else await root.register((api) => routes(api, options, hooks), { prefix: mount });
      await root.listen({ port: 0, host: '127.0.0.1' });
      return { server: root.server, close: () => root.close() };
    },
    async setupError(options) {
      // A plugin's bad options fail ready(), not register().
      const app = fastify();
      void app.register(fastifyMonitoring, options as FastifyMonitoringOptions);
      const error = await errorOf(() => app.ready());
      await app.close();
      return error;
    },
  };
}

/** The plugin and the suite's routes, in `app` (the root, or a plugin's encapsulated context). */
async function routes(
  app: FastifyInstance,
  options: FastifyMonitoringOptions,
  hooks: ConformanceHooks,
): Promise<void> {
  await app.register(fastifyMonitoring, options);
  app.get('/ok', async () => 'ok');
  app.get<{ Params: { id: string } }>('/users/:id', async (req) => ({ id: req.params.id }));
  app.get('/throw', () => {
    throw new Error('sync boom');
  });
  app.get('/reject', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('async boom');
  });
  app.get('/stream', (_req, reply) => reply.type('text/plain').send(Readable.from(STREAM_CHUNKS)));
  app.get('/stalled', (_req, reply) => {
    const body = new PassThrough();
    body.write(STALLED_CHUNK);
    void hooks.hang(reply.raw);
    return reply.type('text/plain').send(body);
  });
  // Fastify reads a text/plain body itself, before the handler runs.
  app.route<{ Body: string | undefined }>({
    method: ['GET', 'POST'],
    url: '/hang',
    handler: async (req, reply) => {
      await hooks.hang(reply.raw, req.body ?? '');
      return 'late';
    },
  });
  app.post<{ Body: string }>('/echo', async (req) => req.body);
}
