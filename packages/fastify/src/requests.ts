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

/** Times `req` unless a mark says someone already does; returns what to do with it. */
export function observe(
  http: ResolvedAdapterOptions['metrics']['http'],
  classify: (url: string | undefined) => Action,
  lookup: Lookup,
  req: MarkedRequest,
  res: ServerResponse,
): Action | undefined {
  if (req[SEEN] !== undefined) return undefined;
  const action = classify(req.url);
  req[SEEN] = action;
  if (action === 'record') instrumentRequest(http, req, res, () => routeOf(req, lookup));
  return action;
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
 * Listens first on the server's 'request' event (http, https, http2 and a `serverFactory` server
 * that emits it). Returns false when the server has no such event: our hook then times requests.
 */
export function listenFirst(
  fastify: FastifyInstance,
  listener: (req: MarkedRequest, res: ServerResponse) => void,
): boolean {
  const server = fastify.server as Partial<Pick<FastifyInstance['server'], 'prependListener'>>;
  if (typeof server?.prependListener !== 'function') return false;
  server.prependListener('request', listener);
  fastify.addHook('onClose', (_instance, done) => {
    fastify.server.removeListener('request', listener);
    done();
  });
  return true;
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
