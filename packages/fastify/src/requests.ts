// Which requests the plugin counts and where: on the HTTP server's 'request' event, before
// Fastify's handler, so an answer Fastify or an earlier hook gives without our hook is counted too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { instrumentRequest, type ResolvedAdapterOptions } from '@ai-orchestrator/metrics/adapter';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routerConfig } from './templates.js';

export type Action = 'metrics' | 'ignore' | 'record';

// Symbol.for: the ESM and CJS builds of this package, both loaded, still see one mark.
const SEEN = Symbol.for('@ai-orchestrator/fastify-monitoring.seen');

/** Node's request with our mark: the action taken, then the Fastify request once our hook ran. */
export type MarkedRequest = IncomingMessage & { [SEEN]?: Action | FastifyRequest };

/** Names the template of a path our hook never saw; undefined when it cannot tell. */
export type Lookup = (method: string | undefined, url: string | undefined) => string | undefined;

/**
 * The route template, read when the response closed. routeOptions.url (Fastify >= 4.10) is the
 * full template with every prefix, undefined in the not-found handler (the core's
 * `__unmatched__`). A request our hook never saw (an earlier hook answered it, or Fastify did: a
 * bad or too long URL) is looked up, on that rare path only.
 */
export function routeOf(req: MarkedRequest, lookup: Lookup): string | undefined {
  const seen = req[SEEN];
  return typeof seen === 'object' ? seen.routeOptions?.url : lookup(req.method, req.url);
}

/**
 * One registration of the plugin: its metrics object, how it classifies a URL, its route
 * templates, and the handler of its metrics path.
 */
export interface Registration {
  readonly http: ResolvedAdapterOptions['metrics']['http'];
  readonly classify: (url: string | undefined) => Action;
  readonly lookup: Lookup;
  readonly handler: ResolvedAdapterOptions['handler'];
}

// The registration whose metrics path a request asked for: its hook answers other methods 405.
const SERVED = Symbol.for('@ai-orchestrator/fastify-monitoring.served');
type ServedRequest = IncomingMessage & { [SERVED]?: Registration };

/** The registration serving the metrics path `req` asked for, if it asked for one. */
export function servedBy(req: IncomingMessage): Registration | undefined {
  return (req as ServedRequest)[SERVED];
}

/**
 * What the registrations of one metrics object do with `url`, whatever their order: `metrics`
 * when it is the metrics path of one of them (`served`), else `ignore` when one of them skips it
 * (the root's `ignorePaths` for `/health`, an `/api` plugin's for `/api/ping`; a registration
 * under a prefix skips nothing outside it), else `record`.
 */
function decide(group: readonly Registration[], url: string | undefined): Action | Registration {
  let action: Action = 'record';
  for (let i = 0; i < group.length; i++) {
    const registration = group[i] as Registration;
    const own = registration.classify(url);
    if (own === 'metrics') return registration;
    if (own === 'ignore') action = own;
  }
  return action;
}

/** The template of a request no hook of ours saw: the first registration that knows it. */
function lookupOf(group: readonly Registration[]): Lookup {
  if (group.length === 1) return (group[0] as Registration).lookup;
  return (method, url) => {
    for (const { lookup } of group) {
      const found = lookup(method, url);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

/** Names the route template of a request when it is over (see routeOf). */
type RouteOf = (req: MarkedRequest) => string | undefined;

/** Times `req` for one metrics object as `decided`; returns what it did. */
function timeFor(
  http: Registration['http'],
  route: RouteOf,
  decided: Action | Registration,
  req: MarkedRequest,
  res: ServerResponse,
): Action {
  if (decided === 'record') instrumentRequest(http, req, res, route);
  if (typeof decided === 'string') return decided;
  (req as ServedRequest)[SERVED] = decided;
  return 'metrics';
}

interface Group {
  readonly http: Registration['http'];
  readonly registrations: Registration[];
  /** routeOf with the group's lookup: one function per group, not a closure per request. */
  route: RouteOf;
}

function routeWith(lookup: Lookup): RouteOf {
  return (req) => routeOf(req, lookup);
}

/**
 * The plugin's registrations in one Fastify app, grouped by metrics object, and the decision for
 * a request: each metrics object times it once, as `decide` says. The mark says what was done:
 * `record` when one times it, else `metrics` when a registration serves the path (`servedBy`
 * names it), else `ignore`.
 */
export class Registrations {
  private readonly groups: Group[] = [];

  add(registration: Registration): void {
    let group = this.groups.find((g) => g.http === registration.http);
    if (group === undefined) {
      group = { http: registration.http, registrations: [], route: routeWith(registration.lookup) };
      this.groups.push(group);
    }
    group.registrations.push(registration);
    group.route = routeWith(lookupOf(group.registrations));
  }

  /** Times `req` unless a mark says someone already does; returns what was done with it. */
  observe(req: MarkedRequest, res: ServerResponse): Action | undefined {
    if (req[SEEN] !== undefined) return undefined;
    const url = req.url;
    const groups = this.groups;
    if (groups.length === 1) {
      // One metrics object, the common case.
      const { http, registrations, route } = groups[0] as Group;
      return (req[SEEN] = timeFor(http, route, decide(registrations, url), req, res));
    }
    let done: Action = 'ignore';
    for (const { http, registrations, route } of groups) {
      const action = timeFor(http, route, decide(registrations, url), req, res);
      if (action === 'record' || (action === 'metrics' && done === 'ignore')) done = action;
    }
    return (req[SEEN] = done);
  }
}

// Shared by every copy of this package on the server (the ESM and CJS builds, both loaded), so one
// listener serves them all; versioned, as a later copy may hold registrations of another shape.
const ON_SERVER = Symbol.for('@ai-orchestrator/fastify-monitoring.registrations.v1');

/** The Fastify apps using the plugin on one server, by app (its `initialConfig`). */
interface OnServer {
  readonly apps: Map<object, Registrations>;
  /** The one app's registrations while there is one app: the listener times its requests. */
  only: Registrations | undefined;
  /** Removes the listener, when the last app on the server closed. */
  detach(): void;
}

/** Called by our onRequest hook: the mark the server listener left, if it saw the request. */
export function markOf(req: MarkedRequest): Action | FastifyRequest | undefined {
  return req[SEEN];
}

/** Our hook ran: the route template is read from this request when the response closes. */
export function markRouted(req: MarkedRequest, request: FastifyRequest): void {
  req[SEEN] = request;
}

/**
 * The registrations of the plugin in `fastify`'s app, with `registration` added. One listener per
 * server, first on its 'request' event (http, https, http2 and a `serverFactory` server that
 * emits it), times the requests of the one app on it. A server several Fastify apps share (a
 * `serverFactory` handing requests to one app or another) cannot tell whose a request is: there,
 * as on a server without that event, our hooks time the requests of each app.
 */
export function register(fastify: FastifyInstance, registration: Registration): Registrations {
  const server = fastify.server as
    | (Partial<Pick<FastifyInstance['server'], 'prependListener' | 'removeListener'>> & {
        [ON_SERVER]?: OnServer;
      })
    | undefined;
  // Every context of one app shares its frozen initialConfig.
  const app: object = (fastify.initialConfig as object | undefined) ?? fastify;
  let onServer = server?.[ON_SERVER];
  if (onServer === undefined) {
    const created: OnServer = { apps: new Map(), only: undefined, detach: () => undefined };
    onServer = created;
    if (server && typeof server.prependListener === 'function') {
      server[ON_SERVER] = created;
      const listener = (req: MarkedRequest, res: ServerResponse) => {
        try {
          created.only?.observe(req, res);
        } catch {
          // never break the request we observe
        }
      };
      server.prependListener('request', listener);
      created.detach = () => {
        server.removeListener?.('request', listener);
        if (server[ON_SERVER] === created) delete server[ON_SERVER];
      };
    }
  }
  const shared = onServer;
  const { apps } = shared;
  let registrations = apps.get(app);
  if (registrations === undefined) {
    const created = new Registrations();
    registrations = created;
    apps.set(app, created);
    shared.only = apps.size === 1 ? created : undefined;
    fastify.addHook('onClose', (_instance, done) => {
      apps.delete(app);
      shared.only = apps.size === 1 ? apps.values().next().value : undefined;
      // the last app on the server (another one may still serve on it while there are more)
      if (apps.size === 0) shared.detach();
      done();
    });
  }
  registrations.add(registration);
  return registrations;
}

/**
 * The source of a RegExp matching `path` as the router does (`//a` with `ignoreDuplicateSlashes`);
 * with `params`, a segment holding a parameter (`/t/:tenant`) matches any one segment.
 */
function patternOf(path: string, slashes: boolean, params = false): string {
  return path
    .split('/')
    .map((part) =>
      params && part.includes(':') ? '[^/?]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join(slashes ? '/+' : '/');
}

/**
 * The core's path classification, plus the spellings of the metrics path Fastify's router also
 * serves it on (`caseSensitive: false`, `ignoreTrailingSlash`, `ignoreDuplicateSlashes`, top level
 * on Fastify 4, also under `routerOptions` on 5): the metrics route is never recorded. Without
 * those options it is the core's function itself, at no cost.
 */
function spellings(
  fastify: FastifyInstance,
  { classify, metricsPath }: ResolvedAdapterOptions,
): (url: string | undefined) => Action {
  if (metricsPath === false) return classify;
  const { anyCase, trailing, slashes } = routerConfig(fastify);
  if (!anyCase && !trailing && !slashes) return classify;
  let pattern = patternOf(metricsPath, slashes);
  if (trailing && !metricsPath.endsWith('/')) pattern += '/?';
  const spelling = new RegExp(`^${pattern}(?:\\?|$)`, anyCase ? 'i' : '');
  return (url) => {
    const action = classify(url);
    return action === 'record' && url !== undefined && spelling.test(url) ? 'metrics' : action;
  };
}

/**
 * How the plugin classifies a request URL. `metricsPath` and `ignorePaths` are paths of the
 * context the plugin is registered in, as its routes are: under a `register(..., { prefix })`
 * they are matched after that prefix (the route Fastify serves is `/api/metrics`), and a URL
 * outside the prefix is always recorded. At the root, or without a prefix, it is `spellings`.
 */
export function classifier(
  fastify: FastifyInstance,
  resolved: ResolvedAdapterOptions,
): (url: string | undefined) => Action {
  const within = spellings(fastify, resolved);
  const prefix = fastify.prefix.replace(/\/+$/, '');
  if (prefix === '') return within;
  const { anyCase, slashes } = routerConfig(fastify);
  const under = new RegExp(`^${patternOf(prefix, slashes, true)}(?=[/?]|$)`, anyCase ? 'i' : '');
  return (url) => {
    const match = url === undefined ? null : under.exec(url);
    if (url === undefined || match === null) return 'record';
    const rest = url.slice(match[0].length);
    // `/api` and `/api?x` are the prefix's own `/`, as Fastify serves a `/` route there.
    return within(rest.startsWith('/') ? rest : `/${rest}`);
  };
}
