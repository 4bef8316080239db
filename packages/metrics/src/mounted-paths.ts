// metricsPath and ignorePaths are paths of the context an adapter is mounted in. Adapters once
// matched them against the full URL under an Express mount, so a full path written then
// (`/api/metrics` for `app.use('/api', mw)`) still matches, with a one-time warning. Only a string
// strictly below the mount is read that way: a RegExp, or a path that is the mount itself, is a
// path of the mounted context alone.
import type { ResolvedAdapterOptions } from './types.js';
import { metricsWarnings } from './warnings.js';

type Action = ReturnType<ResolvedAdapterOptions['classify']>;

/** Whether `path` lies strictly below `mount` (`/api/metrics` under `/api`; not `/api` itself). */
function isBelow(path: string, mount: string): boolean {
  return path.length > mount.length && path.startsWith(mount) && path[mount.length] === '/';
}

/**
 * The path of a request URL: without its query, `/` when there is none.
 *
 * @example
 * urlPath('/metrics?debug=1'); // '/metrics'
 */
export function urlPath(url: string | undefined): string {
  if (!url) return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** What the full-path fallback needs of the resolved options. */
export interface MountedPaths {
  readonly where: string;
  readonly metricsPath: string | false;
  readonly exact: ReadonlySet<string>;
  readonly classify: (url: string | undefined) => Action;
}

/**
 * The `classifyUnder` of resolved options: `classify` on the path relative to the mount, then,
 * for a request it would record, the full path against `metricsPath` and the string entries of
 * `ignorePaths` that lie below the mount (one comparison and one set look-up).
 *
 * @example
 * const classifyUnder = mountedClassifier({ where, metricsPath, exact, classify });
 */
export function mountedClassifier(paths: MountedPaths): ResolvedAdapterOptions['classifyUnder'] {
  const { where, metricsPath, exact, classify } = paths;
  return (url, full, mount) => {
    const action = classify(url);
    if (action !== 'record' || full === undefined) return action;
    const fullPath = urlPath(full);
    let legacy: Action = 'record';
    let option = '';
    if (fullPath === metricsPath && isBelow(fullPath, mount)) {
      legacy = 'metrics';
      option = `metricsPath ${JSON.stringify(metricsPath)}`;
    } else if (exact.size > 0 && exact.has(fullPath) && isBelow(fullPath, mount)) {
      legacy = 'ignore';
      option = `ignorePaths entry ${JSON.stringify(fullPath)}`;
    } else return action;
    metricsWarnings.once(
      `full-path:${where}:${legacy}`,
      () =>
        `${where}: ${option} matched the full path of a request under the mount ` +
        `${JSON.stringify(mount)}; metricsPath and ignorePaths are relative to the mount path ` +
        `(write ${JSON.stringify(fullPath.slice(mount.length))}). The full path still works.`,
    );
    return legacy;
  };
}
