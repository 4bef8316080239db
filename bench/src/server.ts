// One benchmark server process: a framework with one setup, on a free loopback port. Tracing
// starts before the framework is loaded (with require, so every setup patches the same way),
// and the runner asks for this process's CPU time over IPC around each measurement window.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type expressModule from 'express';
import type { FastifyInstance } from 'fastify';
import type KoaModule from 'koa';
import type RouterModule from '@koa/router';
import type * as Tracing from '@ai-orchestrator/tracing';
import type * as ExpressMonitoring from '@ai-orchestrator/express-monitoring';
import type * as FastifyMonitoring from '@ai-orchestrator/fastify-monitoring';
import type * as KoaMonitoring from '@ai-orchestrator/koa-monitoring';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as HttpInst from '@opentelemetry/instrumentation-http';
import type * as ExpressInst from '@opentelemetry/instrumentation-express';
import type * as KoaInst from '@opentelemetry/instrumentation-koa';
import type * as FastifyOtel from '@fastify/otel';
import type * as OtelApi from '@opentelemetry/api';
import { keepTickShape } from '@ai-orchestrator/metrics/shared';
import type { ChildMessage, ServerConfig, Variant } from './configs.js';
import { isFloor, startFloor } from './floors.js';

const require = createRequire(import.meta.url);

function send(message: ChildMessage): void {
  process.send?.(message);
}

function config(): ServerConfig {
  const raw = process.env.BENCH_SERVER;
  if (raw === undefined) throw new TypeError('server: BENCH_SERVER is not set');
  return JSON.parse(raw) as ServerConfig;
}

const traced = (variant: Variant): boolean =>
  variant === 'ours-trace-default' || variant === 'ours-trace-100' || variant === 'ours-trace-lean';
const withOurs = (variant: Variant): boolean =>
  variant === 'ours' || variant === 'ours-sizes' || variant === 'otel-ours' || traced(variant);
// The opt-in body-size histograms, on only in the setup that measures what they cost.
const sizes = (variant: Variant): { httpBodySizes: boolean } => ({
  httpBodySizes: variant === 'ours-sizes',
});

/** Requests handled, and those inside a sampled trace (tracing setups only): the rate sampled. */
let traces: { handled: number; sampled: number } | undefined;
let countSampled = (): void => undefined;

function startCounting(): void {
  const api = require('@opentelemetry/api') as typeof OtelApi;
  const counts = { handled: 0, sampled: 0 };
  countSampled = () => {
    counts.handled += 1;
    const flags = api.trace.getActiveSpan()?.spanContext().traceFlags ?? 0;
    if ((flags & api.TraceFlags.SAMPLED) !== 0) counts.sampled += 1;
  };
  traces = counts;
}

/** What each tracing setup of ours passes besides the endpoint and the instrumentations. */
const TRACING_OPTIONS: Partial<Record<Variant, object>> = {
  'ours-trace-default': {},
  'ours-trace-100': { sampler: { ratio: 1 } },
  'ours-trace-lean': { sampler: { ratio: 1 }, profile: 'lean' },
};

/** Starts tracing as a service would: before the framework is loaded. Returns what it used. */
function startTracing(cfg: ServerConfig): string | undefined {
  const headers = { 'x-bench-config': `${cfg.framework}/${cfg.variant}` };
  if (traced(cfg.variant)) {
    const { TracingService } = require('@ai-orchestrator/tracing') as typeof Tracing;
    const service = new TracingService({
      serviceName: `bench-${cfg.framework}`,
      endpoint: cfg.sinkUrl,
      headers,
      ...TRACING_OPTIONS[cfg.variant],
      // The same instrumentations as the plain setup: HTTP and this framework only.
      instrumentations: {
        http: true,
        express: cfg.framework === 'express',
        fastify: cfg.framework === 'fastify',
        koa: cfg.framework === 'koa',
        undici: false,
        ioredis: false,
      },
    }).initialize();
    startCounting();
    return service.loadedInstrumentations.join(',');
  }
  if (cfg.variant === 'otel' || cfg.variant === 'otel-ours' || isFloor(cfg.variant)) {
    const loaded = isFloor(cfg.variant) ? startFloor(cfg, headers) : startPlainOtel(cfg, headers);
    startCounting();
    return loaded;
  }
  return undefined;
}

/** The setup the OpenTelemetry docs show: NodeSDK, the same instrumentations, OTLP/proto exporter. */
function startPlainOtel(cfg: ServerConfig, headers: Record<string, string>): string {
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpInst;
  const instrumentations: unknown[] = [new HttpInstrumentation()];
  if (cfg.framework === 'express') {
    const m = require('@opentelemetry/instrumentation-express') as typeof ExpressInst;
    instrumentations.push(new m.ExpressInstrumentation());
  } else if (cfg.framework === 'koa') {
    const m = require('@opentelemetry/instrumentation-koa') as typeof KoaInst;
    instrumentations.push(new m.KoaInstrumentation());
  } else {
    const m = require('@fastify/otel') as typeof FastifyOtel;
    instrumentations.push(new m.FastifyOtelInstrumentation({ registerOnInitialization: true }));
  }
  const sdk = new NodeSDK({
    serviceName: `bench-${cfg.framework}`,
    traceExporter: new OTLPTraceExporter({ url: cfg.sinkUrl, headers }),
    instrumentations: instrumentations as never,
  });
  sdk.start();
  return `http,${cfg.framework}`;
}

/** The port of a server the framework itself started listening (`app.listen(0, host)`). */
function listening(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve((server.address() as AddressInfo).port));
  });
}

async function startExpress(variant: Variant): Promise<number> {
  const express = require('express') as typeof expressModule;
  const app = express();
  if (withOurs(variant)) {
    const { createMetricsMiddleware } =
      require('@ai-orchestrator/express-monitoring') as typeof ExpressMonitoring;
    app.use(createMetricsMiddleware({ serviceName: 'bench-express', ...sizes(variant) }));
  } else if (variant === 'peer') {
    const promBundle = require('express-prom-bundle') as (
      opts: object,
    ) => expressModule.RequestHandler;
    app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }));
  }
  app.get('/users/:id', (req, res) => {
    countSampled();
    res.json({ id: req.params.id, name: 'Ada' });
  });
  return listening(app.listen(0, '127.0.0.1'));
}

async function startFastify(variant: Variant): Promise<number> {
  const fastify = require('fastify') as (opts?: object) => FastifyInstance;
  const app = fastify({ logger: false });
  if (withOurs(variant)) {
    const { fastifyMonitoring } =
      require('@ai-orchestrator/fastify-monitoring') as typeof FastifyMonitoring;
    await app.register(fastifyMonitoring, { serviceName: 'bench-fastify', ...sizes(variant) });
  } else if (variant === 'peer') {
    const metricsPlugin = require('fastify-metrics') as {
      default: Parameters<FastifyInstance['register']>[0];
    };
    await app.register(metricsPlugin.default, { endpoint: '/metrics' });
  }
  app.get<{ Params: { id: string } }>('/users/:id', async (request) => {
    countSampled();
    return { id: request.params.id, name: 'Ada' };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

async function startKoa(variant: Variant): Promise<number> {
  const Koa = require('koa') as typeof KoaModule;
  const Router = require('@koa/router') as typeof RouterModule;
  const app = new Koa();
  const router = new Router();
  if (withOurs(variant)) {
    const { createMetricsMiddleware } =
      require('@ai-orchestrator/koa-monitoring') as typeof KoaMonitoring;
    app.use(createMetricsMiddleware({ serviceName: 'bench-koa', ...sizes(variant) }));
  } else if (variant === 'peer') {
    const exporter = require('@echo-health/koa-prometheus-exporter') as {
      middleware: (o?: object) => KoaModule.Middleware;
      httpMetricMiddleware: (o?: object) => KoaModule.Middleware;
    };
    app.use(exporter.middleware({}));
    app.use(exporter.httpMetricMiddleware());
  }
  router.get('/users/:id', (ctx) => {
    countSampled();
    ctx.body = { id: ctx.params.id, name: 'Ada' };
  });
  app.use(router.routes());
  return listening(app.listen(0, '127.0.0.1'));
}

async function main(): Promise<void> {
  const cfg = config();
  // Every setup, bare included, keeps one nextTick object alive, as our packages do: otherwise
  // whichever server V8's memory reducer collects while idle between its windows pays several
  // times the price of each later tick (see "nextTick after an idle collection" in the report),
  // and the ratios would measure that rather than the setups.
  keepTickShape();
  const detail = startTracing(cfg);
  const start = { express: startExpress, fastify: startFastify, koa: startKoa }[cfg.framework];
  const port = await start(cfg.variant);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({
        type: 'cpu',
        micros: user + system,
        systemMicros: system,
        ...(traces !== undefined ? { traces: { ...traces } } : {}),
      });
    }
  });
  // The runner's IPC channel closing means the run is over.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port, ...(detail !== undefined ? { detail } : {}) });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: String(error instanceof Error ? error.stack : error) });
  process.exit(1);
});
