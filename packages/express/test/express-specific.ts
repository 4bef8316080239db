// What only Express has: templates through nested routers and sub-apps in each major's path
// syntax, error handlers after the routers unwound, and createMetricsHandler on an app route.
import {
  activeRequests,
  listen,
  pipelined,
  requestCounts,
  send,
  trackResponses,
  urlOf,
  type ConformanceApp,
} from '@ai-orchestrator/testkit/conformance';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { EXPRESS_MIDDLEWARE_NAME } from '@ai-orchestrator/metrics/shared';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsHandler, createMetricsMiddleware } from '../src/index.js';
import type { Express } from './driver.js';

const ok: RequestHandler = (_req, res) => {
  res.send('ok');
};

/** Express 4 and 5 spell a wildcard and an optional segment differently. */
function syntax(major: 4 | 5) {
  return major === 5
    ? { wildcard: '/files/*splat', optional: '/users{/:opt}' }
    : { wildcard: '/files/*', optional: '/users/:opt?' };
}

function fresh() {
  const registry = new Registry();
  return {
    registry,
    options: { serviceName: 'express-test', registry, collectDefaultMetrics: false },
  };
}

function rejectAsync(major: 4 | 5): RequestHandler {
  if (major === 5) {
    return async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('async boom');
    };
  }
  // Express 4 ignores returned promises: a rejection reaches it only through next().
  return (_req, _res, next) => {
    new Promise((_resolve, reject) => setImmediate(() => reject(new Error('async boom')))).catch(
      next,
    );
  };
}

/** Nested routers, a mounted sub-app, errors of each kind, each major's path syntax. */
function buildApp(
  expressOf: Express,
  major: 4 | 5,
  options: object,
  errorHandler?: ErrorRequestHandler,
) {
  const app = expressOf();
  app.use(createMetricsMiddleware(options));
  const inner = expressOf.Router();
  inner.get('/items/:id', ok);
  inner.get('/sync-throw/:id', () => {
    throw new Error('sync boom');
  });
  inner.get('/async-throw/:id', rejectAsync(major));
  const api = expressOf.Router();
  api.use('/v1', inner);
  api.get('/', ok);
  app.use('/api', api);
  const admin = expressOf();
  const reports = expressOf.Router();
  reports.get('/:year', ok);
  reports.get('/:year/fail', () => {
    throw new Error('report failed');
  });
  admin.use('/reports', reports);
  admin.get('/users/:id', ok);
  app.use('/admin', admin);
  app.get(syntax(major).wildcard, ok);
  app.get(syntax(major).optional, ok);
  app.get(/^\/re\/\d+$/, ok);
  app.get(['/one', '/two'], ok);
  if (errorHandler) app.use(errorHandler);
  return app;
}

/** Serving Express apps for one describe block; `closeAll()` belongs in `afterEach`. */
function expressServers() {
  const open: ConformanceApp[] = [];
  return {
    async serve(app: ReturnType<Express>) {
      const running = await listen(app);
      open.push(running);
      return { url: urlOf(running.server), ...trackResponses(running.server) };
    },
    async closeAll() {
      for (const running of open.splice(0)) await running.close();
    },
  };
}

type Servers = ReturnType<typeof expressServers>;

function routingTests(major: 4 | 5, expressOf: Express, servers: Servers): void {
  async function start(errorHandler?: ErrorRequestHandler) {
    const { registry, options } = fresh();
    const served = await servers.serve(buildApp(expressOf, major, options, errorHandler));
    return { registry, ...served };
  }

  it('labels requests with the full template through nested routers and sub-apps', async () => {
    const { registry, url, settled } = await start();
    const paths = [
      ...['/api/v1/items/42', '/api/v1/items/43', '/api', '/admin/reports/2024'],
      ...['/admin/users/7', '/files/a/b/c.txt', '/users', '/users/9', '/re/123', '/one', '/two'],
    ];
    for (const path of paths) expect((await send(url + path)).status, path).toBe(200);
    await settled();
    const { wildcard, optional } = syntax(major);
    expect(await requestCounts(registry)).toEqual({
      'GET /^\\/re\\/\\d+$/ 200': 1,
      'GET /admin/reports/:year 200': 1,
      'GET /admin/users/:id 200': 1,
      'GET /api/ 200': 1,
      [`GET ${wildcard} 200`]: 1,
      'GET /api/v1/items/:id 200': 2,
      'GET /one 200': 2, // an array of paths is labelled with its first
      [`GET ${optional} 200`]: 2,
    });
  });

  it('labels a request __unmatched__ under a router prefix, or on a route of another method', async () => {
    const { registry, url, settled } = await start();
    expect((await send(`${url}/api/v1/nope`)).status).toBe(404);
    expect((await send(`${url}/admin/nope`)).status).toBe(404);
    expect((await send(`${url}/api/v1/items/1`, { method: 'POST' })).status).toBe(404);
    await settled();
    expect(await requestCounts(registry)).toEqual({
      'GET __unmatched__ 404': 2,
      'POST __unmatched__ 404': 1,
    });
  });

  it('counts a throw and a rejection in a nested router or sub-app as 500 under the full template', async () => {
    const { registry, url, settled } = await start();
    expect((await send(`${url}/api/v1/sync-throw/1`)).status).toBe(500);
    expect((await send(`${url}/api/v1/async-throw/1`)).status).toBe(500);
    expect((await send(`${url}/admin/reports/2024/fail`)).status).toBe(500);
    await settled();
    expect(await requestCounts(registry)).toEqual({
      'GET /admin/reports/:year/fail 500': 1,
      'GET /api/v1/async-throw/:id 500': 1,
      'GET /api/v1/sync-throw/:id 500': 1,
    });
    expect(await activeRequests(registry)).toBe(0);
  });

  it("keeps each pipelined request's template while a request after it on the connection is routed", async () => {
    const { registry, url, settled } = await start();
    // The first one's handler is still running (and its error unwinds the routers) while the
    // three after it are routed on the same connection.
    const paths = ['/api/v1/async-throw/1', '/admin/reports/2024', '/api/v1/items/3', '/one'];
    expect(await pipelined(url, paths)).toEqual([500, 200, 200, 200]);
    await settled();
    expect(await requestCounts(registry)).toEqual({
      'GET /admin/reports/:year 200': 1,
      'GET /api/v1/async-throw/:id 500': 1,
      'GET /api/v1/items/:id 200': 1,
      'GET /one 200': 1,
    });
  });

  it('counts the status an app error handler sent, with the template the error left', async () => {
    const seen: { baseUrl: string; routePath: unknown }[] = [];
    const teapot: ErrorRequestHandler = (_err, req: Request, res, _next) => {
      seen.push({ baseUrl: req.baseUrl, routePath: req.route?.path });
      res.status(418).send('teapot');
    };
    const { registry, url, settled } = await start(teapot);
    expect((await send(`${url}/api/v1/sync-throw/1`)).status).toBe(418);
    expect((await send(`${url}/api/v1/async-throw/2`)).status).toBe(418);
    expect((await send(`${url}/admin/reports/2024/fail`)).status).toBe(418);
    await settled();
    // By the time the app's handler runs, Express has restored baseUrl: that is the hard case.
    expect(seen[0]).toEqual({ baseUrl: '', routePath: '/sync-throw/:id' });
    expect(await requestCounts(registry)).toEqual({
      'GET /admin/reports/:year/fail 418': 1,
      'GET /api/v1/async-throw/:id 418': 1,
      'GET /api/v1/sync-throw/:id 418': 1,
    });
  });
}

/** Routers and a sub-app under mount paths with parameters, in each major's syntax. */
function mountedApp(expressOf: Express, major: 4 | 5, options: object) {
  const app = expressOf();
  app.use(createMetricsMiddleware(options));
  const teams = expressOf.Router({ mergeParams: true });
  teams.get('/members/:member', ok);
  const projects = expressOf.Router();
  projects.get('/tasks/:task', ok);
  teams.use('/projects/:project', projects);
  const audit = expressOf.Router();
  audit.get('/log', ok);
  teams.use('/audit', audit); // a literal mount inside a parameterised one
  app.use('/teams/:team', teams);
  // every request below enters this router, matches nothing there and leaves it
  const docs = expressOf.Router();
  docs.get('/docs', ok);
  app.use('/:lang', docs);
  app.get('/plain/:id', ok);
  const versions = expressOf.Router();
  versions.get('/view', ok);
  app.use(major === 5 ? '/guide{/:version}' : '/guide/:version?', versions);
  const shards = expressOf.Router();
  shards.get('/status', ok);
  app.use(/^\/shard\d+/, shards);
  const shops = expressOf.Router();
  shops.get('/list', ok);
  app.use(['/shops/:shop', '/store'], shops);
  const files = expressOf.Router();
  files.get('/meta', ok);
  app.use('/files/:name.:ext', files);
  // a custom parameter pattern: Express 4's syntax only
  if (major === 4) app.use('/tenants/:tenant(\\d+)', teams);
  const org = expressOf();
  org.get('/billing', ok);
  const units = expressOf.Router();
  units.get('/status', ok);
  org.use('/units/:unit', units);
  app.use('/orgs/:org', org);
  return app;
}

function mountTests(major: 4 | 5, expressOf: Express, servers: Servers): void {
  const optional = major === 5 ? '/guide{/:version}' : '/guide/:version?';

  it('labels routes under parameterised mounts by the mount template, never by request values', async () => {
    const { registry, options } = fresh();
    const app = mountedApp(expressOf, major, options);
    const { url, settled } = await servers.serve(app);
    const hostile = ['a%2Fb', '%3Ametrics', 'x%20y', '%C3%BCn%C3%AF', '..%2F..', 'z'.repeat(300)];
    const paths = [
      ...hostile.map((v) => `/teams/${v}/members/${v}`),
      ...hostile.map((v) => `/teams/${v}/projects/${v}/tasks/${v}`),
      '/teams/red/audit/log',
      '/TEAMS/red/AUDIT/log', // Express matches without regard to case: the label keeps the mount's
      '/en/docs',
      '/plain/5',
      '/guide/v2/view',
      '/shard7/status',
      '/shops/s1/list',
      '/shops/s2/list',
      '/store/list',
      '/files/a.json/meta',
      '/files/b.xml/meta',
      ...(major === 4 ? ['/tenants/7/members/ann'] : []),
    ];
    // concurrently: each request keeps its own record of the mounts it entered
    const statuses = await Promise.all(paths.map(async (path) => (await send(url + path)).status));
    expect(statuses).toEqual(paths.map(() => 200));
    // a mount added after the app served requests is followed too
    const late = expressOf.Router();
    late.get('/items/:item', ok);
    app.use('/late/:tenant', late);
    expect((await send(`${url}/late/acme/items/1`)).status).toBe(200);
    await settled();
    expect(await requestCounts(registry)).toEqual({
      'GET /teams/:team/members/:member 200': hostile.length,
      'GET /teams/:team/projects/:project/tasks/:task 200': hostile.length,
      'GET /teams/:team/audit/log 200': 2,
      'GET /:lang/docs 200': 1,
      'GET /plain/:id 200': 1,
      [`GET ${optional}/view 200`]: 1,
      [`GET ${String(/^\/shard\d+/)}/status 200`]: 1,
      'GET /shops/:shop/list 200': 2,
      'GET /store/list 200': 1,
      'GET /files/:name.:ext/meta 200': 2,
      ...(major === 4 ? { 'GET /tenants/:tenant(\\d+)/members/:member 200': 1 } : {}),
      'GET /late/:tenant/items/:item 200': 1,
    });
  });

  it("labels a sub-app's first request unmatched when it passed mounts not followed yet", async () => {
    const { registry, options } = fresh();
    const { url, settled } = await servers.serve(mountedApp(expressOf, major, options));
    // The parent's router does not lead to a mounted sub-app: its mounts are found from inside,
    // on its first routed request, after that request passed them.
    for (const unit of ['u1', 'u2', 'u3']) {
      expect((await send(`${url}/orgs/acme/units/${unit}/status`)).status).toBe(200);
    }
    expect((await send(`${url}/orgs/acme/billing`)).status).toBe(200);
    await settled();
    expect(await requestCounts(registry)).toEqual({
      'GET __unmatched__ 200': 1,
      'GET /orgs/:org/units/:unit/status 200': 2,
      'GET /orgs/:org/billing 200': 1,
    });
  });

  it('labels requests through a router the app calls from its own function unmatched, never by their text', async () => {
    const { registry, options } = fresh();
    const app = expressOf();
    app.use(createMetricsMiddleware(options));
    const inner = expressOf.Router();
    const leaf = expressOf.Router();
    leaf.get('/x', ok);
    inner.use('/teams/:team', leaf);
    inner.use('/inner-zone', leaf); // a literal no followed mount of any app has
    // not walked: the app's router leads to this function, not to `inner`
    app.use('/wrap', (req, res, next) => inner(req, res, next));
    const routed = expressOf.Router();
    routed.get('/y', ok);
    app.use('/plain', routed);
    const { url, settled } = await servers.serve(app);
    for (const path of [
      '/wrap/teams/SECRET-42/x',
      '/wrap/inner-zone/x',
      '/wrap/INNER-ZONE/x',
      '/plain/y',
    ]) {
      expect((await send(url + path)).status).toBe(200);
    }
    await settled();
    expect(await requestCounts(registry)).toEqual({
      'GET __unmatched__ 200': 3,
      'GET /plain/y 200': 1,
    });
  });

  it('follows the mounts above a middleware used inside a mounted router or sub-app', async () => {
    const { registry, options } = fresh();
    const app = expressOf();
    const tenant = expressOf.Router();
    tenant.use(createMetricsMiddleware(options));
    tenant.get('/orders/:order', ok);
    app.use('/tenants/:tenant', tenant);
    const region = expressOf();
    region.use(createMetricsMiddleware({ ...options, metricsPath: false }));
    region.get('/report', ok);
    app.use('/regions/:region', region);
    const { url, settled } = await servers.serve(app);
    for (const path of ['/tenants/t1/orders/1', '/tenants/t2/orders/2', '/tenants/t3/orders/3']) {
      expect((await send(url + path)).status).toBe(200);
    }
    for (const path of ['/regions/eu/report', '/regions/us/report']) {
      expect((await send(url + path)).status).toBe(200);
    }
    await settled();
    // the first request had passed the mount above the middleware before it was followed
    expect(await requestCounts(registry)).toEqual({
      'GET __unmatched__ 200': 1,
      'GET /tenants/:tenant/orders/:order 200': 2,
      'GET /regions/:region/report 200': 2,
    });
  });
}

function metricsHandlerTests(expressOf: Express, servers: Servers): void {
  it('with metricsPath false, leaves /metrics to the app and createMetricsHandler', async () => {
    const { registry, options } = fresh();
    const app = expressOf();
    app.use(createMetricsMiddleware({ ...options, metricsPath: false, ignorePaths: ['/metrics'] }));
    app.get('/metrics', createMetricsHandler({ registry }));
    app.get('/private', createMetricsHandler({ registry, auth: { type: 'bearer', token: 't' } }));
    const { url, settled } = await servers.serve(app);
    await send(`${url}/nowhere`);
    const res = await send(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('http_route="__unmatched__",http_response_status_code="404"');
    expect((await send(`${url}/private`)).status).toBe(401);
    await settled();
    // /private is the app's own route, recorded like any other.
    expect(await requestCounts(registry)).toEqual({
      'GET __unmatched__ 404': 1,
      'GET /private 401': 1,
    });
  });

  it('rejects bad createMetricsHandler options with a TypeError naming the field', () => {
    expect(() => createMetricsHandler({ auth: { type: 'bearer', token: '' } })).toThrow(
      new TypeError(
        'createMetricsHandler: auth.token must be a string with at least one non-whitespace character, got ""',
      ),
    );
    expect(() => createMetricsHandler({ registry: 'global' as never })).toThrow(
      new TypeError('createMetricsHandler: registry must be a prom-client Registry, got "global"'),
    );
  });

  it('mounts the middleware as the layer the tracing package skips', () => {
    const app = expressOf() as unknown as {
      use(fn: unknown): unknown;
      router?: { stack: { name: string }[] };
      _router?: { stack: { name: string }[] };
    };
    app.use(createMetricsMiddleware(fresh().options));
    // Express 4 keeps its router on `_router` (its `router` getter throws), Express 5 on `router`.
    const layers = (app._router ?? app.router)?.stack.map((layer) => layer.name);
    expect(layers).toContain(EXPRESS_MIDDLEWARE_NAME);
  });
}

/** metricsPath and ignorePaths are paths of where the middleware is mounted (README, Options). */
function mountPathTests(expressOf: Express, servers: Servers): void {
  it('serves and skips paths relative to app.use(path), a sub-app and a parameterised mount', async () => {
    const { registry, options } = fresh();
    const app = expressOf();
    const relative = { ...options, ignorePaths: ['/health'] };
    app.use('/api', createMetricsMiddleware(relative));
    const api = expressOf.Router();
    api.get('/users/:id', ok);
    api.get('/health', ok);
    app.use('/api', api);
    const sub = expressOf();
    sub.use(createMetricsMiddleware({ ...relative, metricsPath: '/sub-metrics' }));
    sub.get('/health', ok);
    app.use('/v1', sub);
    const team = expressOf.Router();
    team.use(createMetricsMiddleware(relative));
    team.get('/members/:id', ok);
    app.use('/teams/:team', team);
    app.get('/health', ok);
    const { url, settled } = await servers.serve(app);
    // The first recorded request passed the app's mounts before they were followed: unmatched
    // (see "follows the mounts above a middleware used inside a mounted router or sub-app").
    expect((await send(`${url}/api/users/0`)).status).toBe(200);
    for (const path of [
      '/api/metrics',
      '/v1/sub-metrics',
      '/teams/red/metrics',
      '/teams/b/metrics',
    ]) {
      expect([path, (await send(url + path)).status]).toEqual([path, 200]);
    }
    expect((await send(`${url}/api/metrics`, { method: 'POST' })).status).toBe(405);
    for (const path of ['/api/health', '/v1/health', '/api/users/1', '/teams/red/members/2']) {
      expect([path, (await send(url + path)).status]).toEqual([path, 200]);
    }
    // Outside every mount: no middleware runs, nothing is served or recorded.
    expect((await send(`${url}/metrics`)).status).toBe(404);
    expect((await send(`${url}/health`)).status).toBe(200);
    await settled();
    expect(await requestCounts(registry)).toEqual({
      'GET /api/users/:id 200': 1,
      'GET __unmatched__ 200': 1,
      'GET /teams/:team/members/:id 200': 1,
    });
  });

  it("leaves a sub-app's metrics path to the outer instance of the same metrics object (its auth holds)", async () => {
    const { registry, options } = fresh();
    const app = expressOf();
    const auth = { type: 'bearer', token: 'scrape-token-1' } as const;
    app.use(createMetricsMiddleware({ ...options, auth }));
    const admin = expressOf();
    admin.use(createMetricsMiddleware(options)); // its own instance, default options
    admin.get('/users/:id', ok);
    app.use('/admin', admin);
    const { url, settled } = await servers.serve(app);
    expect((await send(`${url}/admin/users/1`)).status).toBe(200);
    expect((await send(`${url}/metrics`)).status).toBe(401);
    const token = { headers: { authorization: 'Bearer scrape-token-1' } };
    expect((await send(`${url}/metrics`, token)).status).toBe(200);
    // the sub-app's default path is no second, open door to the same registry
    const inner = await send(`${url}/admin/metrics`);
    expect(inner.status).toBe(404);
    expect(inner.body).not.toContain('http_server_request_duration_seconds');
    await settled();
    // (the metrics path of the outer instance is never recorded; the sub-app's is a 404 there)
    expect(await requestCounts(registry)).toEqual({
      'GET /admin/users/:id 200': 1,
      'GET __unmatched__ 404': 1,
    });
  });

  it('still serves and skips the full paths written before metricsPath became relative', async () => {
    const { registry, options } = fresh();
    const app = expressOf();
    const full = { ...options, metricsPath: '/api/metrics', ignorePaths: ['/api/health'] };
    app.use('/api', createMetricsMiddleware(full));
    app.get('/api/health', ok);
    app.get('/api/users/:id', ok);
    const { url, settled } = await servers.serve(app);
    expect((await send(`${url}/api/metrics`)).status).toBe(200);
    expect((await send(`${url}/api/health`)).status).toBe(200);
    expect((await send(`${url}/api/users/1`)).status).toBe(200);
    await settled();
    expect(await requestCounts(registry)).toEqual({ 'GET /api/users/:id 200': 1 });
  });
}

export function expressSpecificTests(name: string, major: 4 | 5, expressOf: Express): void {
  describe(`${name}: Express routing, error handlers and createMetricsHandler`, () => {
    const servers = expressServers();
    afterEach(() => servers.closeAll());
    routingTests(major, expressOf, servers);
    mountTests(major, expressOf, servers);
    mountPathTests(expressOf, servers);
    metricsHandlerTests(expressOf, servers);
  });
}
