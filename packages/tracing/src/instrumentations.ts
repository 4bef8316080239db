// The official instrumentations, each enabled only when its module can be loaded by the app
// (or forced by an option), so installing tracing never pulls in a framework.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { EXPRESS_MIDDLEWARE_NAME } from '@ai-orchestrator/metrics/shared';
import { context, trace } from '@opentelemetry/api';
import type { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { RE2JS } from 're2js';
import {
  expressInstrumentation,
  fastifyInstrumentation,
  koaInstrumentation,
} from './full-profile.js';
import { HttpServerInstrumentation } from './http-server.js';
import { ExpressRouteInstrumentation } from './route-express.js';
import { FastifyRouteInstrumentation } from './route-fastify.js';
import { KoaRouteInstrumentation } from './route-koa.js';
import type { InstrumentationName, InstrumentationSwitches, TracingProfile } from './types.js';
import { compileUserPattern, testUserPattern } from './user-patterns.js';
import { INSTRUMENTATION_NAMES } from './validate.js';

// The module each instrumentation patches; http and undici (fetch) are built into Node.
const TARGETS: Readonly<Record<InstrumentationName, string | undefined>> = {
  http: undefined,
  undici: undefined,
  express: 'express',
  fastify: 'fastify',
  koa: 'koa',
  ioredis: 'ioredis',
};

/** Whether the app can load `name`: resolved from the working directory or the main script. */
export function isInstalled(name: string): boolean {
  const bases = [`${process.cwd()}/`];
  if (process.argv[1] !== undefined) bases.push(`${dirname(process.argv[1])}/`);
  for (const base of bases) {
    const require = createRequire(base);
    for (const request of [name, `${name}/package.json`]) {
      try {
        require.resolve(request);
        return true;
      } catch {
        // not from here
      }
    }
  }
  return false;
}

function envList(value: string | undefined): Set<string> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return new Set(value.split(',').map((s) => s.trim().toLowerCase()));
}

/** Which instrumentations to load: options, then OTEL_NODE_(EN|DIS)ABLED_INSTRUMENTATIONS, then detection. */
export function selectInstrumentations(
  switches: InstrumentationSwitches = {},
  env: NodeJS.ProcessEnv = process.env,
  installed: (name: string) => boolean = isInstalled,
): InstrumentationName[] {
  const enabled = envList(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS);
  const disabled = envList(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS);
  return INSTRUMENTATION_NAMES.filter((name) => {
    const forced = switches[name];
    if (forced !== undefined) return forced;
    if (enabled !== undefined && !enabled.has(name)) return false;
    if (disabled?.has(name) === true) return false;
    const target = TARGETS[name];
    return target === undefined || installed(target);
  });
}

/**
 * The span name ExpressInstrumentation would give the Express adapter's own metrics middleware
 * (`@ai-orchestrator/express-monitoring` names its function so): a span per request for our own
 * instrumentation is noise in every trace and a third of the span work of a simple route.
 */
export const OWN_EXPRESS_LAYER = `middleware - ${EXPRESS_MIDDLEWARE_NAME}`;

export interface InstrumentationSettings {
  /** Incoming request paths that get no span (scrapes and probes). */
  readonly ignorePaths: readonly (string | RegExp)[];
  /** `lean`: no framework spans, the route on the HTTP server span only. */
  readonly profile: TracingProfile;
  /** The SDK's context manager, which incoming requests enter. */
  readonly contextManager: AsyncLocalStorageContextManager;
  /** The sampler's word that a new trace would not be sampled now. */
  readonly closedToNewTraces?: (spanName: string, path: string) => boolean;
}

/** A test of request URLs against `paths` (exact strings, or patterns on the path). */
export function ignoring(
  paths: readonly (string | RegExp)[],
): (url: string | undefined) => boolean {
  const exact = new Set(paths.filter((p): p is string => typeof p === 'string'));
  // on RE2, as the sampler's rules: linear on any path, and stateless whatever the flags (a g or y
  // RegExp's test() would resume at lastIndex and miss every other request)
  const patterns: RE2JS[] = [];
  paths.forEach((p, i) => {
    if (p instanceof RegExp) patterns.push(compileUserPattern(p, `ignorePaths[${i}]`));
  });
  // runs on every incoming request: no split, no array
  return (url) => {
    const raw = url ?? '/';
    const query = raw.indexOf('?');
    const path = query === -1 ? raw : raw.slice(0, query);
    if (exact.has(path)) return true;
    for (const pattern of patterns) if (testUserPattern(pattern, path)) return true;
    return false;
  };
}

/**
 * For @fastify/otel, which starts a trace of its own for a request that has no span: a request our
 * HTTP server span did not sample is one to leave alone. It asks with the route's options when a
 * route is added (those have a handler: keep instrumenting the route) and with `{ url, method }`
 * per request.
 */
function untracedRequest(options: object): boolean {
  return !('handler' in options) && trace.getSpan(context.active()) === undefined;
}

/** New instances of the selected instrumentations (not yet enabled). */
export function createInstrumentations(
  names: readonly InstrumentationName[],
  settings: InstrumentationSettings,
): Instrumentation[] {
  const lean = settings.profile === 'lean';
  const ignored = ignoring(settings.ignorePaths);
  const factories: Record<InstrumentationName, () => Instrumentation> = {
    // client spans and propagation: the official instrumentation; server spans: ours
    http: () => new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    express: () =>
      lean
        ? new ExpressRouteInstrumentation()
        : expressInstrumentation({ ignoreLayers: [OWN_EXPRESS_LAYER] }),
    koa: () => (lean ? new KoaRouteInstrumentation() : koaInstrumentation()),
    // @fastify/otel hooks every Fastify instance through the fastify.initialization channel
    fastify: () =>
      lean
        ? new FastifyRouteInstrumentation()
        : (fastifyInstrumentation({
            registerOnInitialization: true,
            ignorePaths: untracedRequest,
          }) as unknown as Instrumentation),
    undici: () => new UndiciInstrumentation(),
    ioredis: () => new IORedisInstrumentation({ requireParentSpan: true }),
  };
  const created = names.map((name) => factories[name]());
  if (!names.includes('http')) return created;
  const server = new HttpServerInstrumentation({
    contextManager: settings.contextManager,
    ignored,
    ...(settings.closedToNewTraces === undefined
      ? {}
      : { closedToNewTraces: settings.closedToNewTraces }),
  });
  return [server, ...created];
}
