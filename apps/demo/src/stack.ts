// A local Prometheus and Alertmanager for `pnpm demo` when the binaries are there (built by
// `pnpm servers`, else from the PATH): the repo's rule files, and a local variant of
// infra/prometheus/prometheus.yml that targets the local ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { locateBinary } from '@ai-orchestrator/testkit';
import { parse, stringify } from 'yaml';
import { OWN_GROUP, track } from './children.js';
import { infraFile } from './paths.js';
import { pickPort } from './ports.js';
import type { ServicePorts } from './services.js';

export const RULE_FILES = [
  'recording_rules.yml',
  'slo_rules.yml',
  'alert_rules.yml',
  'genai_rules.yml',
];

export interface LocalStackOptions {
  readonly ports: ServicePorts;
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** Rule file contents to use instead of the repo's (the e2e test shortens `for`). */
  readonly rules?: Readonly<Record<string, string>>;
  /** Alertmanager config; default: every alert to a local webhook this process serves. */
  readonly alertmanagerConfig?: (webhookUrl: string) => string;
  readonly log?: (line: string) => void;
}

export interface ReceivedAlert {
  /** The Alertmanager receiver that delivered it (from the webhook payload). */
  readonly receiver: string;
  readonly status: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface LocalStack {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly webhookUrl: string;
  /** Every alert the local webhook received from Alertmanager. */
  readonly received: ReceivedAlert[];
  stop(): Promise<void>;
}

/**
 * The compose prometheus.yml with its targets moved to the local ports. node-exporter is left
 * out: the demo does not run one, and its alerts would only say so.
 */
export function localPrometheusConfig(
  ports: ServicePorts,
  prometheusPort: number,
  alertmanagerPort: number,
  scrapeInterval: string,
  evaluationInterval: string,
): string {
  const services: [string, number][] = [
    ['demo-gateway', ports.gateway.metrics],
    ['demo-orchestrator', ports.orchestrator.metrics],
    ['demo-engine', ports.engine.metrics],
  ];
  const composeFile = infraFile('prometheus', 'prometheus.yml');
  const base = (existsSync(composeFile) ? parse(readFileSync(composeFile, 'utf8')) : {}) as {
    global?: Record<string, unknown> & { external_labels?: Record<string, string> };
    scrape_configs?: ({ job_name: string } & Record<string, unknown>)[];
  };
  const local: Record<string, { targets: string[]; labels: Record<string, string> }[]> = {
    'demo-services': services.map(([service, port]) => ({
      targets: [`127.0.0.1:${port}`],
      labels: { service },
    })),
    prometheus: [{ targets: [`127.0.0.1:${prometheusPort}`], labels: { service: 'prometheus' } }],
    alertmanager: [
      { targets: [`127.0.0.1:${alertmanagerPort}`], labels: { service: 'alertmanager' } },
    ],
  };
  const jobs = (
    base.scrape_configs ?? [
      { job_name: 'demo-services' },
      { job_name: 'prometheus' },
      { job_name: 'alertmanager' },
    ]
  )
    .filter((job) => local[job.job_name])
    .map((job) => {
      const { scrape_interval: _interval, ...rest } = job;
      return { ...rest, static_configs: local[job.job_name] };
    });
  return stringify({
    global: {
      ...base.global,
      scrape_interval: scrapeInterval,
      scrape_timeout: scrapeInterval,
      evaluation_interval: evaluationInterval,
      external_labels: { ...base.global?.external_labels, environment: 'local-demo' },
    },
    rule_files: RULE_FILES,
    alerting: {
      alertmanagers: [
        { api_version: 'v2', static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] },
      ],
    },
    scrape_configs: jobs,
  });
}

function defaultAlertmanagerConfig(webhookUrl: string): string {
  return stringify({
    route: {
      receiver: 'local-webhook',
      group_by: ['alertname', 'service'],
      group_wait: '1s',
      group_interval: '5s',
      repeat_interval: '1h',
    },
    receivers: [
      { name: 'local-webhook', webhook_configs: [{ url: webhookUrl, send_resolved: true }] },
    ],
  });
}

function spawnLogged(
  binary: string,
  args: string[],
  cwd: string,
  name: string,
  log: (l: string) => void,
): ChildProcess {
  const child = track(
    spawn(binary, args, { ...OWN_GROUP, cwd, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) log(`[${name}] ${line}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

async function waitReady(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // starting
    }
    await sleep(150);
  }
  throw new Error(`${name} not ready at ${url}`);
}

/** Starts Prometheus and Alertmanager on loopback, or returns undefined when not installed. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack | undefined> {
  const prometheus = locateBinary('prometheus')?.path;
  const alertmanager = locateBinary('alertmanager')?.path;
  if (!prometheus || !alertmanager) return undefined;
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'aio-demo-'));
  const received: ReceivedAlert[] = [];

  const webhook: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as {
          receiver?: string;
          alerts?: Omit<ReceivedAlert, 'receiver'>[];
        };
        const receiver = payload.receiver ?? '';
        received.push(...(payload.alerts ?? []).map((a) => ({ ...a, receiver })));
      } catch {
        // not a webhook payload
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const webhookPort = (webhook.address() as { port: number }).port;
  const webhookUrl = `http://127.0.0.1:${webhookPort}/alerts`;

  const promPort = await pickPort(9090);
  const amPort = await pickPort(9093);
  const clusterPort = await pickPort(0);
  for (const file of RULE_FILES) {
    const text =
      options.rules?.[file] ??
      (existsSync(infraFile('prometheus', file))
        ? readFileSync(infraFile('prometheus', file), 'utf8')
        : 'groups: []\n');
    writeFileSync(join(dir, file), text);
  }
  writeFileSync(
    join(dir, 'prometheus.yml'),
    localPrometheusConfig(
      options.ports,
      promPort,
      amPort,
      options.scrapeInterval ?? '5s',
      options.evaluationInterval ?? '5s',
    ),
  );
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    (options.alertmanagerConfig ?? defaultAlertmanagerConfig)(webhookUrl),
  );

  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 5000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const am = spawnLogged(
      alertmanager,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        `--cluster.listen-address=127.0.0.1:${clusterPort}`,
        `--cluster.advertise-address=127.0.0.1:${clusterPort}`,
      ],
      dir,
      'alertmanager',
      log,
    );
    children.push(am);
    const prom = spawnLogged(
      prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--enable-feature=exemplar-storage',
        '--web.enable-lifecycle',
      ],
      dir,
      'prometheus',
      log,
    );
    children.push(prom);
    await waitReady(`http://127.0.0.1:${amPort}/-/ready`, am, 'alertmanager');
    await waitReady(`http://127.0.0.1:${promPort}/-/ready`, prom, 'prometheus');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    webhookUrl,
    received,
    stop,
  };
}
