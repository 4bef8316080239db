// Route templates under Express mounts with parameters, for the Express adapter and the tracing
// package alike. A mount path with parameters (`app.use('/teams/:team', router)`) puts the
// request's values into `req.baseUrl`, so `req.baseUrl + req.route.path` would carry them into a
// route label or span name. The layers such a mount added get a request method of their own that
// records, as a request enters the mount, the template its new `req.baseUrl` stands for, and puts
// back what was recorded before when the request leaves the mount (its `next`).
import { expressPathTemplate } from './express-layer.js';

/** An Express layer as this module reads it: Express 5's router and Express 4 alike. */
export interface ExpressMountLayer {
  /** Express 4: the part of the path this layer matched for the request being handled. */
  readonly path?: unknown;
  /** Express 4: the layer's compiled path. */
  readonly regexp?: unknown;
  /** The router package (Express 5): the layer's matchers, and its matching of a path. */
  readonly matchers?: unknown;
  readonly match?: (this: ExpressMountLayer, path: string) => unknown;
  // Express 5's router calls the first, Express 4 the second
  handleRequest?: MountHandler;
  handle_request?: MountHandler;
}
type MountHandler = (this: unknown, req: MountRequest, res: unknown, next: unknown) => unknown;
interface MountRequest {
  readonly baseUrl?: unknown;
  readonly url?: unknown;
}

// The prefix templates of the parameterised mounts a request entered, innermost first: `raw` is
// `req.baseUrl` as it was inside the mount, `template` the same prefix written as mounted.
interface Mount {
  readonly raw: string;
  readonly template: string;
  readonly outer: Mount | undefined;
}

// One state per process, whichever copies of this package are loaded (the adapter and the tracing
// package may each bring one): one record per request, one request method per layer.
interface State {
  readonly mounts: WeakMap<object, Mount>;
  readonly followed: WeakSet<object>;
  // no WeakMap look-up per request until some app mounts under a prefix with parameters
  any: boolean;
}
const STATE = Symbol.for('@ai-orchestrator/metrics.express-mounts.v1');
const slot = globalThis as { [STATE]?: State };
const state: State = (slot[STATE] ??= {
  mounts: new WeakMap(),
  followed: new WeakSet(),
  any: false,
});

const PARAMETER = /[:*?+()[\]{}]/;

/**
 * Whether a mount path puts request values into `req.baseUrl` (a literal prefix does not; an array
 * does when one of its entries does).
 *
 * @example
 * parameterisedMount('/teams/:team'); // true
 */
export function parameterisedMount(path: unknown): boolean {
  if (typeof path === 'string') return PARAMETER.test(path);
  if (Array.isArray(path)) return path.some(parameterisedMount);
  return path instanceof RegExp;
}

const withoutTrailingSlash = (path: string): string =>
  path.endsWith('/') ? path.slice(0, -1) : path;

/** A mount path as the prefix of a template: a string without its trailing slash, a RegExp whole. */
function mountTemplate(path: unknown): string | undefined {
  const template = expressPathTemplate(path);
  return typeof path === 'string' && template !== undefined
    ? withoutTrailingSlash(template)
    : template;
}

// The record of a request that entered parameterised mounts before they were followed.
const DISTRUSTED: Mount = { raw: '', template: '', outer: undefined };

/** `raw` (a `req.baseUrl`) written with the templates of the mounts the request is inside. */
function baseTemplate(req: object, raw: string): string | undefined {
  const inner = state.mounts.get(req);
  if (inner === DISTRUSTED) return undefined;
  for (let mount = inner; mount !== undefined; mount = mount.outer) {
    if (raw === mount.raw) return mount.template;
    // a literal mount inside a parameterised one keeps its text
    if (raw.startsWith(mount.raw) && raw.charCodeAt(mount.raw.length) === 0x2f) {
      return mount.template + raw.slice(mount.raw.length);
    }
  }
  return raw;
}

/**
 * `req.baseUrl` as mounted: the values of the parameterised mounts the request is inside replaced
 * by their templates (`/teams/42/admin` → `/teams/:team/admin`); undefined while the request is
 * inside mounts {@link distrustMounts} was told of.
 *
 * @example
 * mountedBaseUrl(req, req.baseUrl) + req.route.path; // '/teams/:team/members/:member'
 */
export function mountedBaseUrl(req: object, raw: string): string | undefined {
  return state.any ? baseTemplate(req, raw) : raw;
}

/**
 * Marks a request that has entered parameterised mounts before they were followed: until it
 * leaves the followed mount it is inside, {@link mountedBaseUrl} has no template for it.
 *
 * @example
 * if (followedNow) distrustMounts(req);
 */
export function distrustMounts(req: object): void {
  state.mounts.set(req, DISTRUSTED);
  state.any = true;
}

// How to find, inside a mount, where `req.baseUrl` held the outer prefix. A template of literal
// and `:name` segments (each matches one segment) gives the count of segments to drop; for any
// other shape Express 4 keeps the part the layer matched in `layer.path` (shared by concurrent
// requests: read only where the count cannot serve), and Express 5's router matches the layer
// again; where neither serves (router < 2.3), the mount keeps its raw prefix in the route. An
// array of paths has its template found per request: the entry Express 5's router matched, or on
// Express 4 the compiled form of them all.
interface MountShape {
  /** Undefined for an array of paths. */
  readonly template: string | undefined;
  readonly segments: number | undefined;
  /** An array's entries, flattened. */
  readonly entries: readonly unknown[];
}

const SIMPLE = /^[^*?+()[\]{}]*$/;

function shapeOf(path: unknown): MountShape {
  if (Array.isArray(path))
    return { template: undefined, segments: undefined, entries: path.flat(9) };
  const template = mountTemplate(path) ?? '';
  const simple = typeof path === 'string' && SIMPLE.test(path);
  return {
    template,
    segments: simple ? template.split('/').filter((s) => s !== '').length : undefined,
    entries: [],
  };
}

/**
 * Whether the simple template `entry` (literal and `:name` segments) matches `matched`, the part
 * of a path Express 4 matched: the same count of segments, the literal ones equal (Express
 * matches them without regard to case by default).
 */
function fits(entry: unknown, matched: string): boolean {
  if (typeof entry !== 'string' || !SIMPLE.test(entry)) return false;
  const want = entry.split('/').filter((s) => s !== '');
  const got = matched.split('/').filter((s) => s !== '');
  if (want.length !== got.length) return false;
  return want.every((s, i) => s.startsWith(':') || s.toLowerCase() === got[i]?.toLowerCase());
}

/** Where the request entered a mount: `req.baseUrl` outside it, and the mount's template. */
interface Entry {
  readonly outer: string;
  readonly template: string;
}

/** `raw` without its last `count` path segments, or undefined if it has fewer. */
function dropSegments(raw: string, count: number): string | undefined {
  let end = raw.length;
  for (let i = 0; i < count; i++) {
    end = raw.lastIndexOf('/', end - 1);
    if (end < 0) return undefined;
  }
  return raw.slice(0, end);
}

/**
 * The router package ≥ 2.3 (Express 5) keeps no matched part on the layer, but its `match` keeps
 * no request state either: the outer prefix is where a suffix of `raw`, followed by the rest of
 * the request's path, matches the layer with exactly that suffix (tried from the shortest); the
 * match names the path entry it used.
 */
function entryByMatch(
  layer: ExpressMountLayer,
  req: MountRequest,
  raw: string,
  shape: MountShape,
): Entry | undefined {
  const url = req.url;
  if (typeof layer.match !== 'function' || !Array.isArray(layer.matchers)) return undefined;
  if (typeof url !== 'string') return undefined;
  const query = url.indexOf('?');
  const rest = query < 0 ? url : url.slice(0, query);
  for (let at = raw.lastIndexOf('/'); at >= 0; at = at === 0 ? -1 : raw.lastIndexOf('/', at - 1)) {
    const removed = raw.slice(at);
    const found = layer.match.call(layer, rest === '/' ? removed : removed + rest) as {
      path?: unknown;
      pattern?: unknown;
    } | null;
    if (typeof found !== 'object' || found === null) continue;
    if (typeof found.path !== 'string' || withoutTrailingSlash(found.path) !== removed) continue;
    const template = shape.template ?? mountTemplate(found.pattern);
    return template === undefined ? undefined : { outer: raw.slice(0, at), template };
  }
  return undefined;
}

/** Where the request entered the mount of `layer`, its `req.baseUrl` being `raw`. */
function entryOf(
  layer: ExpressMountLayer,
  req: MountRequest,
  raw: string,
  shape: MountShape,
): Entry | undefined {
  if (shape.template !== undefined && shape.segments !== undefined) {
    const outer = dropSegments(raw, shape.segments);
    return outer === undefined ? undefined : { outer, template: shape.template };
  }
  if (typeof layer.path !== 'string') return entryByMatch(layer, req, raw, shape);
  const matched = withoutTrailingSlash(layer.path);
  if (!raw.endsWith(matched)) return undefined;
  // an array: the first simple entry that fits, else what Express 4 compiled of them all
  const entry = shape.entries.find((e) => fits(e, matched));
  const template =
    shape.template ??
    (typeof entry === 'string' ? withoutTrailingSlash(entry) : undefined) ??
    (layer.regexp instanceof RegExp ? String(layer.regexp) : undefined);
  return template === undefined
    ? undefined
    : { outer: raw.slice(0, raw.length - matched.length), template };
}

/**
 * Records, as the request enters a parameterised mount, the template of its new `req.baseUrl`;
 * returns what was recorded before, to be put back when the request leaves the mount, or `false`
 * when nothing was recorded.
 */
function enterMount(
  layer: ExpressMountLayer,
  req: MountRequest,
  shape: MountShape,
): Mount | undefined | false {
  const raw = req.baseUrl;
  if (typeof raw !== 'string') return false;
  const entry = entryOf(layer, req, raw, shape);
  if (entry === undefined) return false;
  const before = state.mounts.get(req);
  const outer = baseTemplate(req, entry.outer);
  if (outer === undefined) return false;
  state.mounts.set(req, { raw, template: outer + entry.template, outer: before });
  return before;
}

/** The mount's `next`, which first puts back the record of the mounts outside it. */
function leaving(req: MountRequest, before: Mount | undefined, next: unknown): unknown {
  if (typeof next !== 'function') return next;
  return function (this: unknown, ...args: unknown[]): unknown {
    if (before === undefined) state.mounts.delete(req);
    else state.mounts.set(req, before);
    return (next as (...a: unknown[]) => unknown).apply(this, args);
  };
}

/**
 * Gives the layers a parameterised mount added (under `path`, as written) their own request
 * method, which records the mount's template for {@link mountedBaseUrl}. A layer is followed once,
 * whoever finds it first; a literal mount path is left alone. Returns how many layers it newly
 * followed.
 *
 * @example
 * followExpressMount(router.stack.slice(before), '/teams/:team');
 */
export function followExpressMount(layers: readonly ExpressMountLayer[], path: unknown): number {
  if (!parameterisedMount(path)) return 0;
  const shape = shapeOf(path);
  let followed = 0;
  for (const layer of layers) {
    if (state.followed.has(layer)) continue;
    const method = typeof layer.handleRequest === 'function' ? 'handleRequest' : 'handle_request';
    const handle = layer[method];
    if (typeof handle !== 'function') continue;
    const own = function (this: unknown, req: MountRequest, res: unknown, next: unknown): unknown {
      let out = next;
      try {
        const before = enterMount(layer, req, shape);
        // a request that leaves the mount (no match, `next('router')`, an error) leaves its record
        if (before !== false) out = leaving(req, before, next);
      } catch {
        // a request we cannot follow keeps the raw prefix in its route
      }
      return handle.call(this, req, res, out);
    };
    // an own property of this layer only (not enumerable, as the prototype's method is not):
    // every other layer keeps the prototype's method
    Object.defineProperty(layer, method, { value: own, writable: true, configurable: true });
    state.followed.add(layer);
    state.any = true;
    followed++;
  }
  return followed;
}
