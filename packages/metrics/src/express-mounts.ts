// Route templates under Express mounts, for the Express adapter and the tracing package alike. A
// mount path with parameters (`app.use('/teams/:team', router)`) puts the request's values into
// `req.baseUrl`, and a literal one the request's casing (`/ADMIN`: Express matches without regard
// to case), so `req.baseUrl + req.route.path` would carry them into a route label or span name.
// The layers a mount with a prefix added get a request method of their own that records, as a
// request enters the mount, the template its new `req.baseUrl` stands for, and puts back what was
// recorded before when the request leaves the mount (its `next`). Where the part of
// `req.baseUrl` the mount matched cannot be told, the request is marked as having no template to
// trust (its route is unknown) rather than labelled with its own values.
import { expressPathTemplate } from './express-layer.js';

/** An Express layer as this module reads it: Express 5's router and Express 4 alike. */
export interface ExpressMountLayer {
  /** Express 4: the layer's compiled path. */
  readonly regexp?: unknown;
  /** The router package (Express 5): its matching of a path, which keeps no request state. */
  readonly matchers?: unknown;
  readonly match?: (this: ExpressMountLayer, path: string) => unknown;
  // Express 5's router calls the first, Express 4 the second
  handleRequest?: MountHandler;
  handle_request?: MountHandler;
}
/** An Express router (Express 4's router function, Express 5's router) as this module reads it. */
export interface ExpressRouter {
  handle?: unknown;
}
type MountHandler = (this: unknown, req: MountRequest, res: unknown, next: unknown) => unknown;
interface MountRequest {
  readonly baseUrl?: unknown;
}

// The prefix templates of the mounts a request entered, innermost first: `raw` is
// `req.baseUrl` as it was inside the mount, `template` the same prefix written as mounted.
interface Mount {
  readonly raw: string;
  readonly template: string;
  readonly outer: Mount | undefined;
}

// The routers a request entered (those whose entries are recorded), innermost first, each with
// `req.baseUrl` as it entered: the prefix outside any mount of that router.
interface Entry {
  readonly router: object;
  readonly base: string;
  readonly outer: Entry | undefined;
}

// One state per process, whichever copies of this package are loaded (the adapter and the tracing
// package may each bring one): one record per request, one request method per layer.
interface State {
  readonly mounts: WeakMap<object, Mount>;
  readonly entries: WeakMap<object, Entry>;
  readonly followed: WeakSet<object>;
  readonly recording: WeakSet<object>;
  /** The prefixes of the literal mounts followed, as mounted (a request's own casing is recorded). */
  readonly literals: Set<string>;
  // no WeakMap look-up per request until some app mounts under a prefix
  any: boolean;
  /** Whether some router's mount paths could be read (Express 4, or router ≥ 2.3). */
  readable: boolean;
}
const STATE = Symbol.for('@ai-orchestrator/metrics.express-mounts.v3');
const slot = globalThis as { [STATE]?: State };
const state: State = (slot[STATE] ??= {
  mounts: new WeakMap(),
  entries: new WeakMap(),
  followed: new WeakSet(),
  recording: new WeakSet(),
  literals: new Set(),
  any: false,
  readable: false,
});

// The record of a request inside a mount whose template could not be told.
const DISTRUSTED: Mount = { raw: '', template: '', outer: undefined };

const withoutTrailingSlash = (path: string): string =>
  path.endsWith('/') ? path.slice(0, -1) : path;

const PARAMETER = /[:*?+()[\]{}]/;

/** Whether a mount path puts request values (not only casing) into `req.baseUrl`. */
function withValues(path: unknown): boolean {
  if (typeof path === 'string') return PARAMETER.test(path);
  if (Array.isArray(path)) return path.some(withValues);
  return path instanceof RegExp;
}

// A path of literal and `:name` segments only: each parameter matches exactly one segment.
const SIMPLE = /^[^*?+()[\]{}]*$/;

/**
 * Whether a mount path adds a prefix to `req.baseUrl`, which then holds the request's text: its
 * values for parameters, its casing for literal text (Express matches without regard to case).
 * A mount at the root adds none.
 *
 * @example
 * prefixMount('/teams/:team'); // true
 */
function prefixMount(path: unknown): boolean {
  if (typeof path === 'string') return withoutTrailingSlash(path) !== '';
  if (Array.isArray(path)) return path.some(prefixMount);
  return path instanceof RegExp;
}

/** A mount path as the prefix of a template: a string without its trailing slash, a RegExp whole. */
function mountTemplate(path: unknown): string | undefined {
  const template = expressPathTemplate(path);
  return typeof path === 'string' && template !== undefined
    ? withoutTrailingSlash(template)
    : template;
}

// Past this length, a part of `req.baseUrl` no recorded mount covers is not looked into.
const MAX_UNCOVERED = 2048;

/**
 * Whether `rest`, a part of `req.baseUrl` that no recorded mount covers, is made of the prefixes
 * of followed literal mounts, as mounted: what literal mounts whose text the request wrote as
 * mounted leave (they record nothing). Anything else came through a mount that was not followed
 * (a router reached through a function of the app's own), and may be the request's own text.
 */
function literalPrefixes(rest: string): boolean {
  if (rest === '' || state.literals.has(rest)) return true;
  if (rest.length > MAX_UNCOVERED || state.literals.size === 0) return false;
  // the segment boundaries reachable from the start through literal prefixes (each tried once)
  const reached = new Set<number>([0]);
  for (let from = 0; from < rest.length; from = rest.indexOf('/', from + 1)) {
    if (from < 0) break;
    if (!reached.has(from)) continue;
    if (state.literals.has(rest.slice(from))) return true;
    for (let to = rest.indexOf('/', from + 1); to > 0; to = rest.indexOf('/', to + 1)) {
      if (state.literals.has(rest.slice(from, to))) reached.add(to);
    }
  }
  return false;
}

/**
 * `raw` (a `req.baseUrl`) written with the templates of the mounts the request is inside; undefined
 * when a part of it came through no followed mount.
 */
function baseTemplate(req: object, raw: string): string | undefined {
  const inner = state.mounts.get(req);
  if (inner === DISTRUSTED) return undefined;
  for (let mount = inner; mount !== undefined; mount = mount.outer) {
    if (raw === mount.raw) return mount.template;
    // inner mounts not recorded: literal ones whose text the request wrote as mounted
    if (raw.startsWith(mount.raw) && raw.charCodeAt(mount.raw.length) === 0x2f) {
      const rest = raw.slice(mount.raw.length);
      return literalPrefixes(rest) ? mount.template + rest : undefined;
    }
  }
  return literalPrefixes(raw) ? raw : undefined;
}

/**
 * `req.baseUrl` as mounted: the prefixes of the mounts the request is inside written as mounted
 * (`/teams/42/ADMIN` → `/teams/:team/admin`); undefined while the request is inside a mount whose
 * template could not be told, or that {@link distrustMounts} was told of, and, once mount paths
 * could be read at all, for a prefix part of which came through no followed mount (a router the
 * app calls from a function of its own): its text may be the request's.
 *
 * @example
 * mountedBaseUrl(req, req.baseUrl) + req.route.path; // '/teams/:team/members/:member'
 */
export function mountedBaseUrl(req: object, raw: string): string | undefined {
  if (state.any) return baseTemplate(req, raw);
  // no prefix mount followed, so no request has a record: only the literal check is left
  return !state.readable || literalPrefixes(raw) ? raw : undefined;
}

/**
 * Marks a request that has entered mounts before they were followed: until it
 * leaves the followed mount it is inside, {@link mountedBaseUrl} has no template for it.
 *
 * @example
 * if (followedNow) distrustMounts(req);
 */
export function distrustMounts(req: object): void {
  state.mounts.set(req, DISTRUSTED);
  state.any = true;
}

// How a mount finds, for a request inside it, the part of `req.baseUrl` it matched. A template of
// literal and `:name` segments gives the count of segments to drop. Any other shape
// (optional parts, wildcards, custom patterns, a RegExp, an array of paths) reads the prefix its
// router was entered with, recorded per request by the router's own `handle`.
interface MountShape {
  /** Undefined for an array of paths: the entry that matched names the mount. */
  readonly template: string | undefined;
  readonly segments: number | undefined;
  /** An array's entries, flattened. */
  readonly entries: readonly unknown[];
}

function shapeOf(path: unknown): MountShape {
  if (Array.isArray(path)) {
    return { template: undefined, segments: undefined, entries: path.flat(9) };
  }
  const template = mountTemplate(path) ?? '';
  const simple = typeof path === 'string' && SIMPLE.test(path);
  return {
    template,
    segments: simple ? template.split('/').filter((s) => s !== '').length : undefined,
    entries: [],
  };
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
 * Whether the simple template `entry` (literal and `:name` segments) matches `matched`, a part of
 * a path a mount matched: the same count of segments, the literal ones equal (Express matches
 * them without regard to case by default).
 */
function fits(entry: unknown, matched: string): boolean {
  if (typeof entry !== 'string' || !SIMPLE.test(entry)) return false;
  const want = entry.split('/').filter((s) => s !== '');
  const got = matched.split('/').filter((s) => s !== '');
  if (want.length !== got.length) return false;
  return want.every((s, i) => s.startsWith(':') || s.toLowerCase() === got[i]?.toLowerCase());
}

/** Which entry of an array of mount paths matched `removed`, as a template. */
function arrayEntry(layer: ExpressMountLayer, removed: string, shape: MountShape): unknown {
  // the router package names the entry it matched; Express 4 has the simple entries checked
  if (typeof layer.match === 'function' && Array.isArray(layer.matchers)) {
    const found = layer.match.call(layer, removed) as { pattern?: unknown } | null | false;
    return typeof found === 'object' && found !== null ? found.pattern : undefined;
  }
  const entry = shape.entries.find((e) => fits(e, removed));
  return entry ?? (layer.regexp instanceof RegExp ? layer.regexp : undefined);
}

/** `req.baseUrl` as `router` was entered by the request, if its entries are recorded. */
function entered(req: object, router: object): string | undefined {
  for (let entry = state.entries.get(req); entry !== undefined; entry = entry.outer) {
    if (entry.router === router) return entry.base;
  }
  return undefined;
}

/** Where the request entered the mount: `req.baseUrl` outside it, and the mount's template. */
function entryOf(
  layer: ExpressMountLayer,
  router: object,
  req: object,
  raw: string,
  shape: MountShape,
): { outer: string; template: string } | undefined {
  if (shape.template !== undefined && shape.segments !== undefined) {
    const outer = dropSegments(raw, shape.segments);
    return outer === undefined ? undefined : { outer, template: shape.template };
  }
  const outer = entered(req, router);
  if (outer === undefined || !raw.startsWith(outer)) return undefined;
  const template =
    shape.template ?? mountTemplate(arrayEntry(layer, raw.slice(outer.length), shape));
  return template === undefined ? undefined : { outer, template };
}

/**
 * Records, as the request enters a mount, the template of its new `req.baseUrl`
 * (or that it has none to trust); returns what was recorded before, to be put back when the
 * request leaves the mount.
 */
function enterMount(
  layer: ExpressMountLayer,
  router: object,
  req: MountRequest,
  shape: MountShape,
): Mount | undefined {
  const before = state.mounts.get(req);
  const raw = req.baseUrl;
  const entry = typeof raw === 'string' ? entryOf(layer, router, req, raw, shape) : undefined;
  const outer = entry === undefined ? undefined : baseTemplate(req, entry.outer);
  state.mounts.set(
    req,
    entry === undefined || outer === undefined || typeof raw !== 'string'
      ? DISTRUSTED
      : { raw, template: outer + entry.template, outer: before },
  );
  return before;
}

/** A `next` that first puts back what `records` held for the request before. */
function restoring<T extends object>(
  records: WeakMap<object, T>,
  req: object,
  before: T | undefined,
  next: unknown,
): unknown {
  if (typeof next !== 'function') return next;
  return function (this: unknown, ...args: unknown[]): unknown {
    if (before === undefined) records.delete(req);
    else records.set(req, before);
    return (next as (...a: unknown[]) => unknown).apply(this, args);
  };
}

/**
 * Gives `router` a `handle` of its own that records, per request, the `req.baseUrl` it was
 * entered with, until the request leaves it.
 */
function recordEntries(router: ExpressRouter): void {
  if (state.recording.has(router)) return;
  const handle = router.handle;
  if (typeof handle !== 'function') return;
  const own = function (this: unknown, req: unknown, res: unknown, out: unknown): unknown {
    let done = out;
    if (typeof req === 'object' && req !== null) {
      try {
        const base = (req as MountRequest).baseUrl;
        const before = state.entries.get(req);
        state.entries.set(req, {
          router,
          base: typeof base === 'string' ? base : '',
          outer: before,
        });
        done = restoring(state.entries, req, before, out);
      } catch {
        // a request we cannot follow has no template to trust under such a mount
      }
    }
    return (handle as (...a: unknown[]) => unknown).call(this, req, res, done);
  };
  Object.defineProperty(router, 'handle', { value: own, writable: true, configurable: true });
  state.recording.add(router);
}

/**
 * Records that `req` is inside `router`, entered with `req.baseUrl` `base`, for a request that
 * entered it before its entries were recorded (the request during which the router was found).
 *
 * @example
 * enteredExpressRouter(req, app.router, '');
 */
export function enteredExpressRouter(req: object, router: object, base: string): void {
  if (entered(req, router) === undefined) {
    state.entries.set(req, { router, base, outer: state.entries.get(req) });
  }
}

/**
 * Gives the layers a mount added to `router` (under `path`, as written) their own request method,
 * which records the mount's template for {@link mountedBaseUrl}. A layer is followed once,
 * whoever finds it first; a mount at the root (no prefix) is left alone. Returns how many layers
 * with parameters in their path it newly followed (those a request that passed them before would
 * carry values of).
 *
 * @example
 * followExpressMount(router, router.stack.slice(before), '/teams/:team');
 */
export function followExpressMount(
  router: ExpressRouter,
  layers: readonly ExpressMountLayer[],
  path: unknown,
): number {
  // Mount paths can be read here: a prefix no followed mount explains is not trusted from now on.
  if (path !== undefined) state.readable = true;
  if (!prefixMount(path)) return 0;
  const shape = shapeOf(path);
  const values = withValues(path);
  let followed = 0;
  for (const layer of layers) {
    if (state.followed.has(layer)) continue;
    const method = typeof layer.handleRequest === 'function' ? 'handleRequest' : 'handle_request';
    const handle = layer[method];
    if (typeof handle !== 'function') continue;
    if (shape.segments === undefined) recordEntries(router);
    // A literal mount's prefix as the request wrote it is most often the mount's own text: then
    // there is nothing to record (the outer mounts' records still cover it), and no `next` to wrap.
    const literal = !values && shape.segments !== undefined ? shape.template : undefined;
    if (literal !== undefined) state.literals.add(literal);
    const own = function (this: unknown, req: MountRequest, res: unknown, next: unknown): unknown {
      let out = next;
      try {
        const raw = req.baseUrl;
        if (literal !== undefined && typeof raw === 'string' && raw.endsWith(literal)) {
          return handle.call(this, req, res, next);
        }
        const before = enterMount(layer, router, req, shape);
        // a request that leaves the mount (no match, `next('router')`, an error) leaves its record
        out = restoring(state.mounts, req, before, next);
      } catch {
        // a request we cannot follow keeps what it had
      }
      return handle.call(this, req, res, out);
    };
    // an own property of this layer only (not enumerable, as the prototype's method is not):
    // every other layer keeps the prototype's method
    Object.defineProperty(layer, method, { value: own, writable: true, configurable: true });
    state.followed.add(layer);
    state.any = true;
    if (values) followed++;
  }
  return followed;
}
