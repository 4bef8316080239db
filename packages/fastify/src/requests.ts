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
 * One registration of the plugin: its metrics object, how it classifies a URL, how long a prefix
 * of a URL its context owns, and the handler of its metrics path.
 */
export interface Registration {
  readonly http: ResolvedAdapterOptions['metrics']['http'];
  readonly classify: (url: string | undefined) => Action;
  /** The length of the context's prefix at the start of `url`: 0 at the root, -1 outside it. */
  readonly depth: (url: string | undefined) => number;
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
 * Which registration of one metrics object decides for `url`: the one whose context owns the
 * longest prefix of it (an `/api` plugin's own `ignorePaths` for `/api/...`, the root's for the
 * rest); the first registered among equals, and when no context owns it (every registration is
 * under a prefix the URL is outside of).
 */
function decider(registrations: readonly Registration[], url: string | undefined): Registration {
  let best = registrations[0] as Registration;
  let depth = best.depth(url);
  for (let i = 1; i < registrations.length; i++) {
    const candidate = registrations[i] as Registration;
    const d = candidate.depth(url);
    if (d > depth) [best, depth] = [candidate, d];
  }
  return best;
}

/** Times `req` for one metrics object, as `decided` classifies it; returns what it did. */
function timeFor(decided: Registration, req: MarkedRequest, res: ServerResponse): Action {
  const action = decided.classify(req.url);
  if (action === 'record') {
    instrumentRequest(decided.http, req, res, () => routeOf(req, decided.lookup));
  } else if (action === 'metrics') {
    (req as ServedRequest)[SERVED] = decided;
  }
  return action;
}

/**
 * The plugin's registrations on one server, grouped by metrics object, and the decision for a
 * request: each metrics object times it once, as its deciding registration classifies it. The
 * mark says what was done: `record` when one times it, else `metrics` when a registration serves
 * the path (`servedBy` names it), else `ignore`.
 */
export class Registrations {
  private readonly groups: Registration[][] = [];
  private single: Registration | undefined;
  /** More than one metrics object: a request one records may be another's metrics path. */
  several = false;

  add(registration: Registration): void {
    const group = this.groups.find((g) => g[0]?.http === registration.http);
    if (group) group.push(registration);
    else this.groups.push([registration]);
    this.single =
      this.groups.length === 1 && this.groups[0]?.length === 1 ? registration : undefined;
  }

  /** Times `req` unless a mark says someone already does; returns what was done with it. */
  observe(req: MarkedRequest, res: ServerResponse): Action | undefined {
    if (req[SEEN] !== undefined) return undefined;
    // One registration, the common case: no choice to make.
    const single = this.single;
    if (single !== undefined) return (req[SEEN] = timeFor(single, req, res));
    let done: Action = 'ignore';
    for (const group of this.groups) {
      const action = timeFor(decider(group, req.url), req, res);
      if (action === 'record' || (action === 'metrics' && done === 'ignore')) done = action;
    }
    return (req[SEEN] = done);
  }
}

// Shared by every copy of this package on the server (the ESM and CJS builds, both loaded), so one
// listener decides; versioned, as a later copy may hold registrations of another shape.
const REGISTRATIONS = Symbol.for('@ai-orchestrator/fastify-monitoring.registrations.v1');

/** Called by our onRequest hook: the mark the server listener left, if it saw the request. */
export function markOf(req: MarkedRequest): Action | FastifyRequest | undefined {
  return req[SEEN];
}

/** Our hook ran: the route template is read from this request when the response closes. */
export function markRouted(req: MarkedRequest, request: FastifyRequest): void {
  req[SEEN] = request;
}

/**
 * The registrations of the plugin on `fastify`'s server, with `registration` added. The first
 * registration listens first on the server's 'request' event (http, https, http2 and a
 * `serverFactory` server that emits it), for every later one too. A server without that event (or
 * with no server object to keep them on) leaves the timing to our hooks.
 */
export function register(fastify: FastifyInstance, registration: Registration): Registrations {
  const server = fastify.server as
    | (Partial<Pick<FastifyInstance['server'], 'prependListener'>> & {
        [REGISTRATIONS]?: Registrations;
      })
    | undefined;
  let registrations = server?.[REGISTRATIONS];
  if (registrations === undefined) {
    const created = new Registrations();
    registrations = created;
    if (server) server[REGISTRATIONS] = created;
    const listener = (req: MarkedRequest, res: ServerResponse) => {
      try {
        created.observe(req, res);
      } catch {
        // never break the request we observe
      }
    };
    const listens = typeof server?.prependListener === 'function';
    if (listens) server?.prependListener?.('request', listener);
    fastify.addHook('onClose', (_instance, done) => {
      if (listens) fastify.server.removeListener('request', listener);
      if (server?.[REGISTRATIONS] === created) delete server[REGISTRATIONS];
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
 * How the plugin classifies a request URL, and how much of it its context owns. `metricsPath` and
 * `ignorePaths` are paths of the context the plugin is registered in, as its routes are: under a
 * `register(..., { prefix })` they are matched after that prefix (the route Fastify serves is
 * `/api/metrics`), and a URL outside the prefix is always recorded. At the root, or without a
 * prefix, it is `spellings`, and the context owns every URL (depth 0).
 */
export function scopeOf(
  fastify: FastifyInstance,
  resolved: ResolvedAdapterOptions,
): Pick<Registration, 'classify' | 'depth'> {
  const within = spellings(fastify, resolved);
  const prefix = fastify.prefix.replace(/\/+$/, '');
  if (prefix === '') return { classify: within, depth: () => 0 };
  const { anyCase, slashes } = routerConfig(fastify);
  const under = new RegExp(`^${patternOf(prefix, slashes, true)}(?=[/?]|$)`, anyCase ? 'i' : '');
  const depth = (url: string | undefined) => {
    const match = url === undefined ? null : under.exec(url);
    return match === null ? -1 : match[0].length;
  };
  return {
    depth,
    classify: (url) => {
      const length = depth(url);
      if (url === undefined || length < 0) return 'record';
      const rest = url.slice(length);
      // `/api` and `/api?x` are the prefix's own `/`, as Fastify serves a `/` route there.
      return within(rest.startsWith('/') ? rest : `/${rest}`);
    },
  };
}
