import type { SpawnOptions } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localJaegerConfig } from './jaeger-config.js';
import { launchServer } from './launch.js';
import { retryOnPortClash } from './ports.js';
import type { RunningProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface JaegerOptions {
  /** YAML text of a Jaeger v2 config, e.g. infra/jaeger/config.yaml. */
  readonly config: string;
  /** JSON text of the sampling strategies, written to a temp file the config then reads. */
  readonly strategies?: string;
  /** Or an existing strategies file to read in place (the demo reads the repo's). */
  readonly strategiesFile?: string;
  /** How often Jaeger re-reads the strategies file (the repo's config: 30s). */
  readonly samplingReloadInterval?: string;
  /** Keep the config's own ports when free (16686, 4318, …); tests use free ports only. */
  readonly preferStandardPorts?: boolean;
  /** Extra spawn options (the demo starts servers in their own process group). */
  readonly spawn?: SpawnOptions;
}

export interface JaegerServer {
  /** Query service: the UI (when built in) and the HTTP API under /api. */
  readonly queryUrl: string;
  /** OTLP over HTTP; traces go to `${otlpHttpUrl}/v1/traces`. */
  readonly otlpHttpUrl: string;
  /** OTLP over gRPC, as `http://127.0.0.1:port`. */
  readonly otlpGrpcUrl: string;
  /** Remote sampling API (`GET /sampling?service=NAME`), when the config enables it. */
  readonly samplingUrl: string | undefined;
  /** The strategies file Jaeger reads; a test rewrites it to change the strategies. */
  readonly strategiesFile: string | undefined;
  /** Jaeger's own Prometheus metrics, when the config exposes them. */
  readonly metricsUrl: string | undefined;
  readonly dir: string;
  readonly process: RunningProcess;
  /** GET `${queryUrl}/api/<path>` and return its `data`, failing on a non-2xx status. */
  api<T = unknown>(path: string, params?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

const url = (port: number | undefined): string | undefined =>
  port === undefined ? undefined : `http://127.0.0.1:${port}`;

function required(ports: Readonly<Record<string, number>>, path: string): string {
  const port = ports[path];
  if (port === undefined) throw new TypeError(`jaeger config: no listener at ${path}`);
  return `http://127.0.0.1:${port}`;
}

/**
 * Starts Jaeger v2 (`cmd/jaeger`) from a repo config with every listener on a free loopback
 * port (all picked again when another process takes one first), in a temp dir; resolves once its
 * health check (or query API) answers.
 *
 * @example
 * const jaeger = await startJaeger(requireBinary('jaeger')!, {
 *   config: readFileSync('infra/jaeger/config.yaml', 'utf8'),
 *   strategies: readFileSync('infra/jaeger/sampling-strategies.json', 'utf8'),
 * });
 * await jaeger.api<string[]>('services');
 */
export async function startJaeger(binary: string, options: JaegerOptions): Promise<JaegerServer> {
  return retryOnPortClash(async () => launchJaeger(binary, options));
}

async function launchJaeger(binary: string, options: JaegerOptions): Promise<JaegerServer> {
  const dir = tempDir('jaeger');
  const strategiesFile =
    options.strategiesFile ??
    (options.strategies === undefined ? undefined : join(dir.path, 'sampling-strategies.json'));
  if (options.strategies !== undefined && strategiesFile)
    writeFileSync(strategiesFile, options.strategies);
  const local = await localJaegerConfig(options.config, {
    ...(strategiesFile ? { strategiesFile } : {}),
    ...(options.samplingReloadInterval ? { reloadInterval: options.samplingReloadInterval } : {}),
    ...(options.preferStandardPorts ? { preferStandardPorts: true } : {}),
  }).catch((error: unknown) => {
    dir.remove();
    throw error;
  });
  const { ports } = local;
  writeFileSync(join(dir.path, 'config.yaml'), local.yaml);
  const queryUrl = required(ports, 'extensions.jaeger_query.http');
  const health = url(ports['extensions.healthcheckv2.http']);
  const server = await launchServer(
    binary,
    [`--config=${join(dir.path, 'config.yaml')}`],
    dir,
    health ? `${health}/status` : `${queryUrl}/api/services`,
    options.spawn ? { spawn: options.spawn } : {},
  );
  const metrics = Object.entries(ports).find(([path]) => path.startsWith('service.telemetry'));
  return {
    queryUrl,
    otlpHttpUrl: required(ports, 'receivers.otlp.protocols.http'),
    otlpGrpcUrl: required(ports, 'receivers.otlp.protocols.grpc'),
    samplingUrl: url(ports['extensions.remote_sampling.http']),
    strategiesFile,
    metricsUrl: metrics ? `http://127.0.0.1:${metrics[1]}/metrics` : undefined,
    dir: dir.path,
    process: server.process,
    async api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
      const query = new URLSearchParams(params).toString();
      const res = await fetch(`${queryUrl}/api/${path}${query ? `?${query}` : ''}`);
      const text = await res.text();
      if (!res.ok) throw new Error(`jaeger ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
      return (JSON.parse(text) as { data: T }).data;
    },
    stop: server.stop,
  };
}
