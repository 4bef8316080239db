// metricsPath and ignorePaths are paths of the context an adapter is mounted in. Adapters once
// matched them against the full URL under an Express mount, so a full path written then
// (`/api/metrics` for `app.use('/api', mw)`) still matches, with a one-time warning.
import type { ResolvedAdapterOptions } from './types.js';
import { metricsWarnings } from './warnings.js';

type Action = ReturnType<ResolvedAdapterOptions['classify']>;

/** Whether `path` is `mount` itself or a path below it. */
function isUnder(path: string, mount: string): boolean {
  return path.startsWith(mount) && (path.length === mount.length || path[mount.length] === '/');
}

/** What the full-path fallback needs of the resolved options. */
export interface MountedPaths {
  readonly where: string;
  readonly metricsPath: string | false;
  readonly exact: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
  readonly classify: (url: string | undefined) => Action;
}

/** The option a full-path match came from, for the warning. */
function optionOf({ metricsPath, exact, patterns }: MountedPaths, action: Action, path: string) {
  if (action === 'metrics') return `metricsPath ${JSON.stringify(metricsPath)}`;
  if (exact.has(path)) return `ignorePaths entry ${JSON.stringify(path)}`;
  const pattern = patterns.find((re) => re.test(path));
  return `ignorePaths entry ${String(pattern)}`;
}

/**
 * The `classifyUnder` of resolved options. Whether any option may be a full path under a mount
 * is worked out once per mount (the last one is kept: a middleware is mostly mounted once), so
 * a request under a mount whose options are all relative costs one `classify`.
 *
 * @example
 * const classifyUnder = mountedClassifier({ where, metricsPath, exact, patterns, classify });
 */
export function mountedClassifier(paths: MountedPaths): ResolvedAdapterOptions['classifyUnder'] {
  const { where, metricsPath, exact, patterns, classify } = paths;
  let lastMount: string | undefined;
  let mayBeFull = false;
  return (url, full, mount) => {
    const action = classify(url);
    if (action !== 'record') return action;
    if (mount !== lastMount) {
      lastMount = mount;
      mayBeFull =
        patterns.length > 0 ||
        (metricsPath !== false && isUnder(metricsPath, mount)) ||
        [...exact].some((path) => isUnder(path, mount));
    }
    if (!mayBeFull) return action;
    const legacy = classify(full);
    if (legacy !== 'record') {
      metricsWarnings.once(`full-path:${where}:${legacy}`, () => {
        const query = full?.indexOf('?') ?? -1;
        const path = full === undefined ? '/' : query < 0 ? full : full.slice(0, query);
        const option = optionOf(paths, legacy, path);
        return (
          `${where}: ${option} matched the full path of a request under the mount ` +
          `${JSON.stringify(mount)}; metricsPath and ignorePaths are relative to the mount path ` +
          `(write ${JSON.stringify(path.slice(mount.length) || '/')}). The full path still works.`
        );
      });
    }
    return legacy;
  };
}
