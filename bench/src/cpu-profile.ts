// Reads a V8 `.cpuprofile` (`node --cpu-prof`) into self time per frame and per package, as shares
// of the CPU samples after a warm-up (idle samples left out), for the tracing section of the report.

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
/** The parts of a `.cpuprofile` read here. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTimes {
  /** Share (0..1) of busy samples by `package · function (file)`. */
  readonly frames: ReadonlyMap<string, number>;
  /** Share (0..1) of busy samples by package (`node` for Node's own, `(native)` for V8 and C++). */
  readonly packages: ReadonlyMap<string, number>;
}

/** `@scope/name` or `name` of a file under a pnpm `node_modules`, our packages by directory. */
export function packageOf(url: string): string {
  const pnpm = /node_modules\/\.pnpm\/(@[^+/]+\+[^@/]+|[^@/]+)@/.exec(url);
  if (pnpm) return (pnpm[1] as string).replace('+', '/');
  const ours = /\/packages\/([^/]+)\//.exec(url);
  if (ours) return `@ai-orchestrator/${ours[1] as string}`;
  if (url.startsWith('node:')) return 'node';
  if (/\/bench\/dist\//.test(url)) return 'the bench app';
  return url === '' ? '(native)' : url;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/**
 * Self time of every frame and package, skipping the first `skipSeconds` (start-up, warm-up).
 *
 * @example
 * const { packages } = selfTimes(JSON.parse(readFileSync(file, 'utf8')), 3);
 */
export function selfTimes(profile: CpuProfile, skipSeconds = 0): SelfTimes {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const frames = new Map<string, number>();
  const packages = new Map<string, number>();
  let elapsed = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    const frame = byId.get(id);
    if (elapsed <= skipSeconds * 1e6 || frame === undefined || frame.functionName === '(idle)') {
      return;
    }
    busy += delta;
    const pkg = packageOf(frame.url);
    const file = frame.url.replace(/^.*\//, '');
    add(frames, `${pkg} · ${frame.functionName || '(anonymous)'} (${file})`, delta);
    add(packages, pkg, delta);
  });
  const share = (map: Map<string, number>): Map<string, number> =>
    new Map([...map].map(([key, time]) => [key, busy > 0 ? time / busy : 0]));
  return { frames: share(frames), packages: share(packages) };
}

/** Markdown rows `| key | before % | after % |` for the `keys`, largest first. */
export function compareRows(
  keys: readonly string[],
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  limit: number,
): string[] {
  const largest = (key: string): number => Math.max(before.get(key) ?? 0, after.get(key) ?? 0);
  const pct = (value: number | undefined): string => ((value ?? 0) * 100).toFixed(1);
  return [...keys]
    .sort((a, b) => largest(b) - largest(a))
    .slice(0, limit)
    .map((key) => `| ${key} | ${pct(before.get(key))} | ${pct(after.get(key))} |`);
}

/** What one request cost, by the package whose code was running or had called into Node. */
export interface PerRequest {
  /** Busy CPU µs of the main thread per request, all packages. */
  readonly busy: number;
  /** µs per request by package: `(garbage collector)`, `(program)`, `node` when no package is on the stack. */
  readonly packages: ReadonlyMap<string, number>;
}

// How far from the end of the profile the window of the measured load ends: the server is told to
// stop when the load is over, and exits within this.
const TAIL_SECONDS = 0.2;

/**
 * The main thread's busy time per request during a load of `seconds` that served `requests`
 * and ended just before the profile did: the last `seconds - 0.5` s before the server stopped,
 * scaled to the whole load. Each sample goes to the package nearest the running frame on its
 * stack (Node's own frames and V8's to the package that called them), so a package's figure
 * includes the Node work it asked for: what a middleware or instrumentation costs a request.
 *
 * @example
 * const { busy, packages } = perRequest(profile, 280_000, 8);
 */
export function perRequest(profile: CpuProfile, requests: number, seconds: number): PerRequest {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const pkg = packageOf(frame.url);
    const up = parent.get(id);
    const found =
      pkg !== 'node' && pkg !== '(native)' ? pkg : up === undefined ? 'node' : ownerOf(up);
    owner.set(id, found);
    return found;
  };
  const windowEnd = profile.endTime - TAIL_SECONDS * 1e6;
  const windowStart = windowEnd - (seconds - 0.5) * 1e6;
  const packages = new Map<string, number>();
  let at = profile.startTime;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const name = byId.get(id)?.callFrame.functionName;
    if (at < windowStart || at > windowEnd || name === undefined || name === '(idle)') return;
    busy += delta;
    const pkg = name === '(garbage collector)' || name === '(program)' ? name : ownerOf(id);
    add(packages, pkg, delta);
  });
  const served = (requests * (seconds - 0.5)) / seconds;
  const each = (time: number): number => (served > 0 ? time / served : 0);
  return {
    busy: each(busy),
    packages: new Map([...packages].map(([pkg, time]) => [pkg, each(time)])),
  };
}
