// A Jaeger v2 config (OpenTelemetry-Collector style) made local: every listener moved to a free
// loopback port, the sampling strategies file and its reload interval set. The rest of the
// config (pipelines, storage, extensions) stays exactly as the repo ships it.
import { parse, stringify } from 'yaml';
import { freePort, freePorts } from './ports.js';

export interface LocalJaegerOptions {
  /** Path written into `extensions.remote_sampling.file.path`. */
  readonly strategiesFile?: string;
  /** `extensions.remote_sampling.file.reload_interval`, e.g. '1s' in tests. */
  readonly reloadInterval?: string;
  /** Keep a listener's own port when it is free (the demo keeps 16686, 4318, …). */
  readonly preferStandardPorts?: boolean;
}

export interface LocalJaegerConfig {
  readonly yaml: string;
  /** New port by the dotted path of each listener, e.g. `receivers.otlp.protocols.http`. */
  readonly ports: Readonly<Record<string, number>>;
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function relocate(
  node: unknown,
  path: string,
  options: LocalJaegerOptions,
  ports: Record<string, number>,
): Promise<void> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) await relocate(item, `${path}.${i}`, options, ports);
    return;
  }
  if (!isNode(node)) return;
  // a port freed a moment ago can come back from the OS: never give two listeners the same one
  const pick = async (own: number): Promise<number> => {
    const port = await freePort(options.preferStandardPorts ? own : undefined);
    const taken = Object.values(ports);
    return taken.includes(port) ? ((await freePorts(1, taken))[0] as number) : port;
  };
  // `endpoint: host:port` (receivers, extensions) and `host` + `port` (the metrics reader)
  const endpoint = typeof node.endpoint === 'string' ? /:(\d+)$/.exec(node.endpoint) : null;
  if (endpoint) {
    const port = await pick(Number(endpoint[1]));
    node.endpoint = `127.0.0.1:${port}`;
    ports[path.slice(1)] = port;
  }
  if (typeof node.host === 'string' && typeof node.port === 'number') {
    const port = await pick(node.port);
    node.host = '127.0.0.1';
    node.port = port;
    ports[path.slice(1)] = port;
  }
  for (const [key, value] of Object.entries(node))
    await relocate(value, `${path}.${key}`, options, ports);
}

/**
 * The local copy of a Jaeger v2 config text.
 *
 * @example
 * const { yaml, ports } = await localJaegerConfig(readFileSync('infra/jaeger/config.yaml', 'utf8'), { strategiesFile: '/tmp/s.json' });
 * ports['receivers.otlp.protocols.http']; // 41234
 */
export async function localJaegerConfig(
  text: string,
  options: LocalJaegerOptions = {},
): Promise<LocalJaegerConfig> {
  const config = parse(text) as Node;
  if (!isNode(config) || !isNode(config.service)) {
    throw new TypeError('jaeger config: expected a mapping with a `service` section');
  }
  const ports: Record<string, number> = {};
  await relocate(config, '', options, ports);
  const extensions = isNode(config.extensions) ? config.extensions : {};
  const sampling = isNode(extensions.remote_sampling) ? extensions.remote_sampling : undefined;
  if (sampling && isNode(sampling.file)) {
    if (options.strategiesFile) sampling.file.path = options.strategiesFile;
    if (options.reloadInterval) sampling.file.reload_interval = options.reloadInterval;
  }
  return { yaml: stringify(config), ports };
}
