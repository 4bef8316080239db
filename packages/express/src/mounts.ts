// Finds an Express app's mounts with parameters (`app.use('/teams/:team', router)`), so that a
// route under one is labelled `/teams/:team/members/:id`, never with the request's values. The
// metrics package's mount follower does the recording (the tracing package hands it the same
// layers); this file only finds the layers and their mount paths, without patching Express:
// it walks the app's router stack when the app is first seen, nested routers included, and
// watches the `use` of each router it walked (an own property of that router), for mounts added
// later.
import { type ExpressMountLayer, followExpressMount } from '@ai-orchestrator/metrics/shared';

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
interface Router {
  readonly stack?: unknown;
  readonly use?: unknown;
}

// Express 4's compiled mount paths (path-to-regexp 0.1): `^`, then per segment either a literal
// (`\/teams`) or a parameter (`(?:\/([^/]+?))`, `?` after it if optional), then the non-ending tail.
const COMPILED_TAIL = /(?:\\\/\?)?\(\?=\\\/\|\$\)$/;
const COMPILED_PARAMETER = '(?:\\/([^/]+?))';
const LITERAL = /^(?:\\[^0-9A-Za-z]|[^\\^$.|?*+()[\]{}])/;

/**
 * The path an Express 4 mount was written with, rebuilt from its compiled form (an array from the
 * alternatives it was compiled into); for a shape not rebuilt (a custom parameter pattern, a
 * wildcard, a RegExp as mounted) the RegExp itself, which the follower writes as
 * `String(regexp)`: one label for every request.
 */
function express4Path(regexp: RegExp, keys: readonly unknown[]): string | string[] | RegExp {
  const source = regexp.source;
  if (!source.startsWith('^')) return regexp;
  const paths: string[] = [];
  let key = 0;
  for (const compiled of source.slice(1).split('|^')) {
    if (!COMPILED_TAIL.test(compiled)) return regexp;
    const body = compiled.replace(COMPILED_TAIL, '');
    let path = '';
    for (let at = 0; at < body.length;) {
      if (body.startsWith(COMPILED_PARAMETER, at)) {
        const name = (keys[key++] as { name?: unknown } | undefined)?.name;
        if (typeof name !== 'string') return regexp;
        at += COMPILED_PARAMETER.length;
        const optional = body[at] === '?';
        if (optional) at++;
        path += `/:${name}${optional ? '?' : ''}`;
        continue;
      }
      const literal = LITERAL.exec(body.slice(at, at + 2))?.[0];
      if (literal === undefined) return regexp;
      path += literal.length === 2 ? literal[1] : literal;
      at += literal.length;
    }
    paths.push(path);
  }
  if (key !== keys.length) return regexp;
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

/** Follows the mounts of `layers`, and walks the routers they mount; the count newly followed. */
function followLayers(layers: readonly unknown[]): number {
  let followed = 0;
  for (const layer of layers) {
    if (!isObject(layer)) continue;
    const { route, handle } = layer as Layer;
    // a route's layer: its handlers are the route's, no mount
    if (route !== undefined) continue;
    followed += followExpressMount([layer as Layer], mountPathOf(layer as Layer));
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
        if (before >= 0 && Array.isArray(this.stack)) followLayers(this.stack.slice(before));
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
  return followLayers(stack);
}

/** An app's router: Express 4 keeps it in `_router` (its `router` getter throws), 5 in `router`. */
function routerOf(app: object): unknown {
  const own = (app as { _router?: unknown })._router;
  return own !== undefined ? own : (app as { router?: unknown }).router;
}

/**
 * Follows the parameterised mounts of an Express app and of the apps it is mounted in (`parent`),
 * once per app, with the routers they mount; whether any was newly followed. Never throws: an app
 * it cannot read keeps raw prefixes.
 *
 * @example
 * followApp(req.app);
 */
export function followApp(app: unknown): boolean {
  let followed = false;
  for (let at = app; isObject(at) && !apps.has(at); at = (at as { parent?: unknown }).parent) {
    apps.add(at);
    try {
      if (walk(routerOf(at)) > 0) followed = true;
    } catch {
      // an app we cannot read keeps raw prefixes
    }
  }
  return followed;
}
