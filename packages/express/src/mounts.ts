// Finds an Express app's mounts with parameters (`app.use('/teams/:team', router)`), so that a
// route under one is labelled `/teams/:team/members/:id`, never with the request's values. The
// metrics package's mount follower does the recording (the tracing package hands it the same
// layers); this file only finds the layers and their mount paths, without patching Express:
// it walks the app's router stack when the app is first seen, nested routers included, and
// watches the `use` of each router it walked (an own property of that router), for mounts added
// later.
import {
  type ExpressMountLayer,
  type ExpressRouter,
  enteredExpressRouter,
  followExpressMount,
} from '@ai-orchestrator/metrics/shared';

interface Layer extends ExpressMountLayer {
  /** Set on a route's layer; a mount has none. */
  readonly route?: unknown;
  /** The mounted function: a nested router carries a `stack` of its own. */
  readonly handle?: unknown;
  /** The router package ≥ 2.3 (Express 5): the path as written. */
  readonly rawPath?: unknown;
  /** Express 4: the path as compiled, and its parameters. */
  readonly regexp?: unknown;
  readonly keys?: unknown;
}
interface Router extends ExpressRouter {
  readonly stack?: unknown;
  readonly use?: unknown;
}

// Express 4's compiled mount paths (path-to-regexp 0.1): `^`, then literal text (`\/teams`) and
// one group per parameter, `(?:` + `\/` or `\.` before it + its capture + `)` (`?` after it if
// optional), or `(.*)` for a `*`, then the non-ending tail.
const COMPILED_TAIL = /(?:\\\/\?)?\(\?=\\\/\|\$\)$/;
const LITERAL = /^(?:\\[^0-9A-Za-z]|[^\\^$.|?*+()[\]{}])/;
// The captures path-to-regexp writes itself: any characters up to the next `/` (or `.` after a
// `.`), or, after literal text in the segment, any up to a `/` or that text again
const DEFAULT_CAPTURE = /^(?:\[\^\/\]\+\?|\[\^\/\\\.\]\+\?|\(\?:\(\?!.*\)\.\)\+\?)$/;

/** The index just past the group that opens at `at` (brackets and escapes skipped), or -1. */
function groupEnd(source: string, at: number): number {
  let depth = 0;
  for (let i = at; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i = source.indexOf(']', i + 1);
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** One compiled parameter group, `(?:\/(capture))`, as written: `/:name`, `.:name(\\d+)`. */
function parameterOf(group: string, name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  let inner = group.slice(3, -1);
  let before = '';
  for (const [escaped, text] of [
    ['\\.', '.'],
    ['\\/', '/'],
  ] as const) {
    if (inner.startsWith(escaped)) {
      before += text;
      inner = inner.slice(escaped.length);
    }
  }
  if (!inner.startsWith('(') || groupEnd(inner, 0) !== inner.length) return undefined;
  const capture = inner.slice(1, -1);
  return `${before}:${name}${DEFAULT_CAPTURE.test(capture) ? '' : `(${capture})`}`;
}

/** One alternative of a compiled mount path, as written, or undefined for a shape not known. */
function alternativeOf(
  body: string,
  keys: readonly unknown[],
  key: { at: number },
): string | undefined {
  let path = '';
  for (let at = 0; at < body.length;) {
    if (body.startsWith('(.*)', at)) {
      key.at++;
      path += '*';
      at += 4;
      continue;
    }
    if (body.startsWith('(?:', at)) {
      const end = groupEnd(body, at);
      if (end < 0) return undefined;
      const name = (keys[key.at++] as { name?: unknown } | undefined)?.name;
      const parameter = parameterOf(body.slice(at, end), name);
      if (parameter === undefined) return undefined;
      const optional = body[end] === '?';
      path += optional ? `${parameter}?` : parameter;
      at = optional ? end + 1 : end;
      continue;
    }
    const literal = LITERAL.exec(body.slice(at, at + 2))?.[0];
    if (literal === undefined) return undefined;
    path += literal.length === 2 ? literal[1] : literal;
    at += literal.length;
  }
  return path;
}

/**
 * The path an Express 4 mount was written with, rebuilt from its compiled form (an array from the
 * alternatives it was compiled into); for a shape not rebuilt (a RegExp as mounted, a parameter
 * modifier this does not know) the RegExp itself, which the follower writes as
 * `String(regexp)`: one label for every request.
 */
function express4Path(regexp: RegExp, keys: readonly unknown[]): string | string[] | RegExp {
  const source = regexp.source;
  if (!source.startsWith('^')) return regexp;
  const paths: string[] = [];
  const key = { at: 0 };
  for (const compiled of source.slice(1).split('|^')) {
    if (!COMPILED_TAIL.test(compiled)) return regexp;
    const path = alternativeOf(compiled.replace(COMPILED_TAIL, ''), keys, key);
    if (path === undefined) return regexp;
    paths.push(path);
  }
  if (key.at !== keys.length) return regexp;
  return paths.length === 1 ? (paths[0] as string) : paths;
}

/** The path `layer` was mounted under, as written where the router keeps it. */
function mountPathOf(layer: Layer): unknown {
  if ('rawPath' in layer) return layer.rawPath;
  const { regexp, keys } = layer;
  if (!(regexp instanceof RegExp) || !Array.isArray(keys)) return undefined;
  return express4Path(regexp, keys);
}

const isObject = (value: unknown): value is object =>
  (typeof value === 'object' && value !== null) || typeof value === 'function';

// Routers already walked; apps already seen.
const walked = new WeakSet<object>();
const apps = new WeakSet<object>();

/**
 * Follows the mounts `layers` of `router`, and walks the routers they mount; the count newly
 * followed.
 */
function followLayers(router: Router, layers: readonly unknown[]): number {
  let followed = 0;
  for (const layer of layers) {
    if (!isObject(layer)) continue;
    const { route, handle } = layer as Layer;
    // a route's layer: its handlers are the route's, no mount
    if (route !== undefined) continue;
    followed += followExpressMount(router, [layer as Layer], mountPathOf(layer as Layer));
    followed += walk(handle);
  }
  return followed;
}

/** Gives a walked router a `use` of its own that follows the mounts it adds. */
function watchUse(router: Router): void {
  const use = router.use;
  if (typeof use !== 'function') return;
  Object.defineProperty(router, 'use', {
    value: function (this: Router, ...args: unknown[]): unknown {
      const stack = this.stack;
      const before = Array.isArray(stack) ? stack.length : -1;
      const out: unknown = use.apply(this, args);
      try {
        if (before >= 0 && Array.isArray(this.stack)) followLayers(this, this.stack.slice(before));
      } catch {
        // a mount we cannot follow keeps the raw prefix in its routes
      }
      return out;
    },
    writable: true,
    configurable: true,
  });
}

/** Walks a router (once): follows its parameterised mounts, nested routers' included. */
function walk(router: unknown): number {
  if (!isObject(router) || walked.has(router)) return 0;
  const stack = (router as Router).stack;
  if (!Array.isArray(stack)) return 0;
  walked.add(router);
  watchUse(router as Router);
  return followLayers(router as Router, stack);
}

/** An app's router: Express 4 keeps it in `_router` (its `router` getter throws), 5 in `router`. */
function routerOf(app: object): unknown {
  try {
    const own = (app as { _router?: unknown })._router;
    return own !== undefined ? own : (app as { router?: unknown }).router;
  } catch {
    // Express 4 before its first route: no router yet, and a `router` getter that throws
    return undefined;
  }
}

/**
 * Follows the parameterised mounts of an Express app and of the apps it is mounted in (`parent`),
 * once per app, with the routers they mount; whether any was newly followed. `req`, a request at
 * the app's root (no mount prefix), is noted as inside the app's router. Never throws: an app it
 * cannot read keeps raw prefixes.
 *
 * @example
 * followApp(req.app);
 */
export function followApp(app: unknown, req?: { readonly baseUrl?: unknown }): boolean {
  // the request in hand is inside the app's router, entered before it was walked
  if (req !== undefined && !req.baseUrl && isObject(app) && !apps.has(app)) {
    const router = routerOf(app);
    if (isObject(router)) enteredExpressRouter(req, router, '');
  }
  let followed = false;
  for (let at = app; isObject(at) && !apps.has(at); at = (at as { parent?: unknown }).parent) {
    const router = routerOf(at);
    // an app with no router yet (Express 4 before its first route) is looked at again later
    if (router === undefined) continue;
    apps.add(at);
    try {
      if (walk(router) > 0) followed = true;
    } catch {
      // an app we cannot read keeps raw prefixes
    }
  }
  return followed;
}
