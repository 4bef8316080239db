// The route template of a request our hook never saw (an earlier hook answered it): Fastify's
// router says whether and with which parameters the path matched, the routes declared after the
// plugin say which template has that shape. Runs only on that rare path, never per request.
import { urlPath } from '@ai-orchestrator/metrics/adapter';
import type { FastifyInstance } from 'fastify';

interface Shape {
  readonly url: string;
  readonly segments: readonly string[];
  readonly params: string;
}

const PARAM = /:([^/:()\-.]+)|\*/g;

/** `//a/b/` and `/a/b` are one route when Fastify ignores duplicate and trailing slashes. */
function segmentsOf(path: string): string[] {
  return path
    .replace(/\/+/g, '/')
    .replace(/(.)\/$/, '$1')
    .split('/');
}

function shapeOf(url: string): Shape {
  const names = [...url.matchAll(PARAM)].map((m) => m[1] ?? '*');
  return { url, segments: segmentsOf(url), params: names.sort().join('/') };
}

interface RouterConfig {
  caseSensitive?: boolean;
  ignoreTrailingSlash?: boolean;
  ignoreDuplicateSlashes?: boolean;
  routerOptions?: RouterConfig;
}

/** The router options that change which paths a route serves: top level on 4, also under routerOptions on 5. */
export function routerConfig(fastify: FastifyInstance) {
  const top = fastify.initialConfig as RouterConfig;
  const router = top.routerOptions ?? {};
  return {
    anyCase: top.caseSensitive === false || router.caseSensitive === false,
    trailing: top.ignoreTrailingSlash === true || router.ignoreTrailingSlash === true,
    slashes: top.ignoreDuplicateSlashes === true || router.ignoreDuplicateSlashes === true,
  };
}

function sameSegments(template: readonly string[], path: readonly string[], anyCase: boolean) {
  const wildcard = template[template.length - 1] === '*';
  if (wildcard ? path.length < template.length - 1 : path.length !== template.length) return false;
  return template.every((part, i) => {
    if (part.includes(':') || part === '*') return true;
    const actual = path[i] ?? '';
    return anyCase ? part.toLowerCase() === actual.toLowerCase() : part === actual;
  });
}

/** Collects the templates of the routes declared after the plugin; `find` names a path's one. */
export function routeTemplates(fastify: FastifyInstance) {
  const byMethod = new Map<string, Shape[]>();
  fastify.addHook('onRoute', ({ method, url }) => {
    for (const m of Array.isArray(method) ? method : [method]) {
      const shapes = byMethod.get(m) ?? [];
      if (!shapes.some((s) => s.url === url)) shapes.push(shapeOf(url));
      byMethod.set(m, shapes);
    }
  });
  const { anyCase } = routerConfig(fastify);
  return {
    /** The one template `path` matched, or undefined (no route, several shapes, no findRoute). */
    find(method: string | undefined, url: string | undefined): string | undefined {
      if (method === undefined || url === undefined || typeof fastify.findRoute !== 'function') {
        return undefined;
      }
      const path = urlPath(url);
      let found: ReturnType<FastifyInstance['findRoute']>;
      try {
        found = fastify.findRoute({ method: method as 'GET', url: path });
      } catch {
        return undefined; // a URL the router cannot decode
      }
      if (!found) return undefined;
      const params = Object.keys(found.params ?? {})
        .sort()
        .join('/');
      const segments = segmentsOf(path);
      const matches = (
        byMethod.get(method) ??
        (method === 'HEAD' ? byMethod.get('GET') : undefined) ??
        []
      ).filter((s) => s.params === params && sameSegments(s.segments, segments, anyCase));
      return matches.length === 1 ? matches[0]?.url : undefined;
    },
  };
}
