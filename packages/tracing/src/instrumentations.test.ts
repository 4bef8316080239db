import { describe, expect, it } from 'vitest';
import type { ExpressInstrumentationConfig } from '@opentelemetry/instrumentation-express';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { EXPRESS_MIDDLEWARE_NAME } from '@ai-orchestrator/metrics/shared';
import {
  createInstrumentations,
  ignoring,
  isInstalled,
  OWN_EXPRESS_LAYER,
  selectInstrumentations,
} from './instrumentations.js';
import { ExpressRouteInstrumentation } from './route-express.js';
import { MAX_MATCHED_LENGTH } from './user-patterns.js';
import { FastifyRouteInstrumentation } from './route-fastify.js';
import { KoaRouteInstrumentation } from './route-koa.js';

describe('instrumentation selection', () => {
  it('finds modules the app can load, from the working directory or the main script', () => {
    // this package has express, fastify and koa as devDependencies, and no ioredis
    const cwd = process.cwd();
    try {
      process.chdir(new URL('..', import.meta.url).pathname);
      expect(isInstalled('express')).toBe(true);
      expect(isInstalled('koa')).toBe(true);
      expect(isInstalled('no-such-module-for-tracing')).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it('loads http and undici always, frameworks only when installed', () => {
    const installed = (name: string) => name === 'express';
    expect(selectInstrumentations({}, {}, installed)).toEqual(['http', 'express', 'undici']);
  });

  it('lets options force an instrumentation on or off', () => {
    const none = () => false;
    expect(selectInstrumentations({ koa: true, http: false }, {}, none)).toEqual(['koa', 'undici']);
  });

  it('reads OTEL_NODE_ENABLED_INSTRUMENTATIONS and OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
    const all = () => true;
    expect(
      selectInstrumentations({}, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'undici, koa' }, all),
    ).toEqual(['http', 'express', 'fastify', 'ioredis']);
    expect(
      selectInstrumentations({}, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,fastify' }, all),
    ).toEqual(['http', 'fastify']);
    expect(
      selectInstrumentations(
        { ioredis: true },
        { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http' },
        all,
      ),
    ).toEqual(['http', 'ioredis']);
  });

  it("profile 'lean': the route from each framework, no framework spans", () => {
    const [express, koa, fastify] = createInstrumentations(['express', 'koa', 'fastify'], {
      ignorePaths: [],
      profile: 'lean',
      contextManager: new AsyncLocalStorageContextManager(),
    });
    expect(express).toBeInstanceOf(ExpressRouteInstrumentation);
    expect(koa).toBeInstanceOf(KoaRouteInstrumentation);
    expect(fastify).toBeInstanceOf(FastifyRouteInstrumentation);
    for (const instrumentation of [express, koa, fastify]) instrumentation!.disable();
  });

  it("gives the Express adapter's own middleware no span", () => {
    const [express] = createInstrumentations(['express'], {
      ignorePaths: [],
      profile: 'full',
      contextManager: new AsyncLocalStorageContextManager(),
    });
    const config = express!.getConfig() as ExpressInstrumentationConfig;
    expect(config.ignoreLayers).toEqual([OWN_EXPRESS_LAYER]);
    // ExpressInstrumentation names a middleware's span `middleware - <function name>`.
    expect(OWN_EXPRESS_LAYER).toBe(`middleware - ${EXPRESS_MIDDLEWARE_NAME}`);
  });
});

describe('ignored paths', () => {
  it('ignores every request to a path a g or y RegExp names, not every other one', () => {
    const ignored = ignoring(['/metrics', /^\/healthz/g, /^\/livez/y]);
    // probes come back to back: a stateful test() would resume where the last match ended
    const healthz = Array.from({ length: 6 }, () => ignored('/healthz?probe=1'));
    const livez = Array.from({ length: 6 }, () => ignored('/livez'));
    expect([...healthz, ...livez]).toEqual(Array<boolean>(12).fill(true));
    expect(ignored('/orders')).toBe(false);
  });

  // a backtracking engine takes seconds on this 8 KB path (cubic); RE2 milliseconds
  it('runs RegExps on RE2: linear on a hostile path, refused at setup when RE2 cannot run them', () => {
    const ignored = ignoring([/^\/a\/.*\/b\/.*\/c\/.*\/d$/]);
    const started = performance.now();
    expect(ignored(`/a/${'/b/c'.repeat((MAX_MATCHED_LENGTH - 16) / 4)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(ignored('/a/1/b/2/c/3/d')).toBe(true);
    expect(() => ignoring(['/metrics', /^\/(?!api)/])).toThrow(
      /ignorePaths\[1\] must be a RegExp that runs in linear time/,
    );
  });
});
