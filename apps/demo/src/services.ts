// Starts the three demo services as child processes, traced with --import, and waits for them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OWN_GROUP, track } from './children.js';
import { appDir } from './paths.js';
import { pickPort } from './ports.js';

export interface ServicePorts {
  readonly gateway: { readonly api: number; readonly metrics: number };
  readonly orchestrator: { readonly api: number; readonly metrics: number };
  readonly engine: { readonly api: number; readonly metrics: number };
}

export interface RunningService {
  readonly name: string;
  readonly apiUrl: string;
  readonly metricsUrl: string;
  readonly child: ChildProcess;
  output(): string;
}

export interface Services {
  readonly ports: ServicePorts;
  readonly list: readonly RunningService[];
  readonly gatewayUrl: string;
  stop(): Promise<void>;
}

/** The seed's ports when free, other free ports when not. */
export async function choosePorts(): Promise<ServicePorts> {
  return {
    gateway: { api: await pickPort(3001), metrics: await pickPort(9464) },
    orchestrator: { api: await pickPort(3002), metrics: await pickPort(9465) },
    engine: { api: await pickPort(3003), metrics: await pickPort(9466) },
  };
}

function start(
  name: string,
  dir: string,
  port: number,
  metricsPort: number,
  env: Record<string, string>,
  log: (line: string) => void,
): RunningService {
  const child = spawn(
    process.execPath,
    ['--import', '@ai-orchestrator/tracing/register', join(dir, 'dist', 'index.js')],
    {
      ...OWN_GROUP,
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        HOST: '127.0.0.1',
        OTEL_SERVICE_NAME: `demo-${name}`,
        ...env,
      },
    },
  );
  track(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    out = (out + text).slice(-20_000);
    for (const line of text.split('\n').filter(Boolean)) log(`[${name}] ${line}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    name,
    apiUrl: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    child,
    output: () => out,
  };
}

async function waitHealthy(service: RunningService, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(
        `${service.name} exited with ${service.child.exitCode}:\n${service.output()}`,
      );
    }
    try {
      const [api, metrics] = await Promise.all([
        fetch(`${service.apiUrl}/healthz`),
        fetch(service.metricsUrl),
      ]);
      if (api.ok && metrics.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${service.name} not healthy after ${timeoutMs} ms:\n${service.output()}`);
}

/** Starts engine, orchestrator and gateway (in that order) and waits until each answers. */
export async function startServices(options: {
  ports?: ServicePorts;
  env?: Record<string, string>;
  log?: (line: string) => void;
}): Promise<Services> {
  const ports = options.ports ?? (await choosePorts());
  const log = options.log ?? (() => undefined);
  const env = options.env ?? {};
  const list: RunningService[] = [];
  const stop = async () => {
    await Promise.all(
      list.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
            const kill = setTimeout(() => s.child.kill('SIGKILL'), 12_000);
            s.child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            s.child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    const engine = start(
      'engine',
      appDir('demo-engine'),
      ports.engine.api,
      ports.engine.metrics,
      env,
      log,
    );
    list.push(engine);
    await waitHealthy(engine);
    const orchestrator = start(
      'orchestrator',
      appDir('demo-orchestrator'),
      ports.orchestrator.api,
      ports.orchestrator.metrics,
      { ...env, ENGINE_URL: engine.apiUrl },
      log,
    );
    list.push(orchestrator);
    await waitHealthy(orchestrator);
    const gateway = start(
      'gateway',
      appDir('demo-gateway'),
      ports.gateway.api,
      ports.gateway.metrics,
      { ...env, ORCHESTRATOR_URL: orchestrator.apiUrl },
      log,
    );
    list.push(gateway);
    await waitHealthy(gateway);
    return { ports, list, gatewayUrl: gateway.apiUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
