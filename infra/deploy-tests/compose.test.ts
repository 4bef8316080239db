// The docker-compose stack, checked without Docker: it parses, mounts only files that exist in
// the repo, pins every image, health-checks every service, and holds no secret.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { requireBinary } from '@ai-orchestrator/testkit';
import { DCLinter } from 'dclint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { grafanaUrlSetting, linkProblems, renderTemplate } from './notification.js';
import { COMPOSE_FILE, INFRA, REPO, dashboardFiles, read } from './paths.js';

interface Service {
  image?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  configs?: { source: string; target: string }[];
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  command?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string; file?: string }>;
}

const COMPOSE_DIR = dirname(COMPOSE_FILE);
const compose = parse(read(COMPOSE_FILE), { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);
const PINNED = /^[\w./-]+:v?\d+(\.\d+){1,2}(-[\w.]+)?$/;
const amtool = requireBinary('amtool');

/** Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?error}` from `env`. */
function interpolate(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_all, name: string, op, arg) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (op === '-') return arg as string;
    throw new Error(`\${${name}} is not set${op === '?' ? `: ${String(arg)}` : ''}`);
  });
}

/** Bind mounts as [service, source path, target] (named volumes and host paths excluded). */
function bindMounts(): [string, string, string][] {
  return services.flatMap(([name, svc]) =>
    (svc.volumes ?? [])
      .map((v) => v.split(':'))
      .filter(([source]) => source?.startsWith('.'))
      .map(
        ([source, target]) =>
          [name, resolve(COMPOSE_DIR, source as string), target as string] as [
            string,
            string,
            string,
          ],
      ),
  );
}

describe('infra/compose/docker-compose.monitoring.yml', () => {
  it('runs the monitoring stack, the three demo services and the load generator', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'demo-engine',
      'demo-gateway',
      'demo-orchestrator',
      'grafana',
      'jaeger',
      'loadgen',
      'node-exporter',
      'prometheus',
    ]);
  });

  it('publishes the seed ports on 127.0.0.1 only (Prometheus, Alertmanager, OTLP have no login)', () => {
    const published = (name: string): string[] => compose.services[name]?.ports ?? [];
    expect(published('grafana')).toContain('127.0.0.1:3000:3000');
    expect(published('prometheus')).toContain('127.0.0.1:9090:9090');
    expect(published('jaeger')).toContain('127.0.0.1:16686:16686');
    expect(published('jaeger')).toContain('127.0.0.1:4318:4318');
    expect(published('alertmanager')).toContain('127.0.0.1:9093:9093');
    const open = services.flatMap(([name, svc]) =>
      (svc.ports ?? []).filter((p) => !p.startsWith('127.0.0.1:')).map((p) => `${name}: ${p}`),
    );
    expect(open).toEqual([]);
  });

  it('hardens every container: read-only root, no capabilities, no-new-privileges', () => {
    const problems: string[] = [];
    for (const [name, svc] of services) {
      if (svc.read_only !== true) problems.push(`${name}: root filesystem writable`);
      if (!svc.cap_drop?.includes('ALL')) problems.push(`${name}: capabilities not dropped`);
      if (!svc.security_opt?.includes('no-new-privileges:true'))
        problems.push(`${name}: no no-new-privileges`);
    }
    expect(problems).toEqual([]);
  });

  it('turns off the unauthenticated lifecycle and admin APIs of Prometheus', () => {
    const command = compose.services.prometheus?.command ?? [];
    expect(command.length).toBeGreaterThan(0);
    for (const flag of ['--web.enable-lifecycle', '--web.enable-admin-api'])
      expect(command, flag).not.toContain(flag);
  });

  it('is valid for the Compose Specification and passes dclint, style rules aside', () => {
    const linter = new DCLinter({
      rules: {
        'service-keys-order': 0,
        'services-alphabetical-order': 0,
        'top-level-properties-order': 0,
        'service-ports-alphabetical-order': 0,
      },
      quiet: false,
      debug: false,
      exclude: [],
    });
    const [result] = linter.lintFiles([COMPOSE_FILE], false);
    const messages = (result?.messages ?? []) as { rule: string; message: string }[];
    expect(messages.map((m) => `${m.rule}: ${m.message}`)).toEqual([]);
  });

  it('mounts only paths that exist in the repo, read-only', () => {
    const mounts = bindMounts();
    expect(mounts.length).toBeGreaterThan(10);
    const missing = mounts
      .filter(([, source]) => !existsSync(source))
      .map(([svc, source]) => `${svc}: ${source}`);
    expect(missing, `missing mounted files:\n${missing.join('\n')}`).toEqual([]);
    for (const [svc, source] of mounts)
      expect(source.startsWith(REPO), `${svc} mounts ${source} outside the repo`).toBe(true);
    const writable = services.flatMap(([name, svc]) =>
      (svc.volumes ?? [])
        .filter((v) => v.startsWith('.') && !v.endsWith(':ro'))
        .map((v) => `${name}: ${v}`),
    );
    expect(writable).toEqual([]);
  });

  it('mounts every dashboard where the Grafana provider reads them, and the rule files beside prometheus.yml', () => {
    const provider = parse(read(join(INFRA, 'grafana/provisioning/dashboards/dashboards.yml'))) as {
      providers: { options: { path: string } }[];
    };
    const dir = provider.providers[0]?.options.path;
    const grafana = bindMounts().filter(([svc]) => svc === 'grafana');
    for (const file of dashboardFiles()) {
      expect(grafana, file).toContainEqual([
        'grafana',
        join(REPO, 'dashboards', file),
        `${dir}/${file}`,
      ]);
    }
    const config = parse(read(join(INFRA, 'prometheus/prometheus.yml'))) as {
      rule_files: string[];
    };
    const prometheus = bindMounts()
      .filter(([svc]) => svc === 'prometheus')
      .map(([, , target]) => target);
    for (const file of config.rule_files) expect(prometheus).toContain(`/etc/prometheus/${file}`);
  });

  it('scrapes, in infra/prometheus/prometheus.yml, services that this file runs on those ports', () => {
    const config = parse(read(join(INFRA, 'prometheus/prometheus.yml'))) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const known: Record<string, string> = {
      prometheus: '9090',
      alertmanager: '9093',
      'node-exporter': '9100',
      ...Object.fromEntries(
        services
          .filter(([, svc]) => svc.environment?.METRICS_PORT)
          .map(([name, svc]) => [name, svc.environment?.METRICS_PORT as string]),
      ),
    };
    const unknown: string[] = [];
    for (const job of config.scrape_configs) {
      for (const target of job.static_configs.flatMap((s) => s.targets)) {
        const [host, port] = target.split(':');
        const service = host === 'localhost' ? job.job_name : (host as string);
        if (known[service] !== port) unknown.push(`${job.job_name}: ${target}`);
      }
    }
    expect(unknown, `targets that are no compose service:port (${JSON.stringify(known)})`).toEqual(
      [],
    );
  });

  it('pins every image, including the base images the demo services build from', () => {
    for (const [name, svc] of services) {
      if (svc.image) {
        expect(svc.image, name).toMatch(PINNED);
      } else {
        expect(svc.build, `${name} has neither image nor build`).toBeDefined();
        const dockerfile = resolve(
          COMPOSE_DIR,
          svc.build?.context as string,
          svc.build?.dockerfile as string,
        );
        expect(existsSync(dockerfile), dockerfile).toBe(true);
        const froms = [...read(dockerfile).matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] as string);
        expect(froms.length).toBeGreaterThan(0);
        for (const image of froms) expect(image, `${name}: FROM ${image}`).toMatch(PINNED);
      }
    }
  });

  it('builds each app from the workspace root, from an app that exists', () => {
    const missing: string[] = [];
    for (const [name, svc] of services.filter(([, s]) => s.build)) {
      expect(resolve(COMPOSE_DIR, svc.build?.context as string), name).toBe(resolve(REPO));
      const app = svc.build?.args?.APP as string;
      expect(app, name).toBe(name);
      if (!existsSync(join(REPO, 'apps', app, 'package.json'))) missing.push(`apps/${app}`);
    }
    expect(missing, `apps not written yet: ${missing.join(', ')}`).toEqual([]);
    const dockerfile = read(join(COMPOSE_DIR, 'node-app.Dockerfile'));
    expect(dockerfile).toContain(
      'pnpm install --frozen-lockfile --filter "@ai-orchestrator/${APP}..."',
    );
    expect(dockerfile).toContain('ENTRYPOINT ["node", "dist/index.js"]');
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('health-checks every service', () => {
    for (const [name, svc] of services) {
      const test = svc.healthcheck?.test;
      expect(Array.isArray(test) ? test[0] : test, name).toMatch(/^CMD/);
    }
  });

  it('keeps data in named volumes', () => {
    const named = services.flatMap(([, svc]) =>
      (svc.volumes ?? [])
        .map((v) => v.split(':')[0] as string)
        .filter((s) => /^[a-z][\w-]*$/.test(s)),
    );
    expect(named.sort()).toEqual(['alertmanager-data', 'grafana-data', 'prometheus-data']);
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(named);
  });

  it('holds no secret: Grafana password from .env, which git ignores, with an example committed', () => {
    const literal: string[] = [];
    for (const [name, svc] of services) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        if (
          /PASSWORD|SECRET|TOKEN|API_?KEY|WEBHOOK/i.test(key) &&
          !/^\$\{[A-Z_]+(:[?-][^}]*)?\}$/.test(String(value))
        ) {
          literal.push(`${name}.${key}`);
        }
      }
    }
    expect(literal).toEqual([]);
    expect(compose.services.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(
      /^\$\{GRAFANA_ADMIN_PASSWORD:\?/,
    );
    expect(read(join(COMPOSE_DIR, '.env.example'))).toMatch(/^GRAFANA_ADMIN_PASSWORD=$/m);
    const ignored = spawnSync('git', ['check-ignore', '-q', join(COMPOSE_DIR, '.env')], {
      cwd: REPO,
    });
    expect(ignored.status, 'infra/compose/.env must be git-ignored').toBe(0);
    const secret = spawnSync(
      'git',
      ['check-ignore', '-q', join(COMPOSE_DIR, 'secrets/alertmanager/slack-alerts-webhook-url')],
      { cwd: REPO },
    );
    expect(secret.status, 'Alertmanager secret files must be git-ignored').toBe(0);
  });

  it('feeds GRAFANA_URL to Grafana and to the notification links, documented in .env.example', () => {
    const content = compose.configs?.['alertmanager-grafana-url']?.content ?? '';
    expect(compose.services.alertmanager?.configs).toContainEqual({
      source: 'alertmanager-grafana-url',
      target: '/etc/alertmanager/templates/grafana-url.tmpl',
    });
    const setting = grafanaUrlSetting(content);
    expect(compose.services.grafana?.environment?.GF_SERVER_ROOT_URL).toBe(setting);
    expect(read(join(COMPOSE_DIR, '.env.example'))).toMatch(
      /^GRAFANA_URL=http:\/\/localhost:3000$/m,
    );
    // The repo's default is compose's default.
    const repoFile = read(join(INFRA, 'alertmanager/templates/grafana-url.tmpl'));
    expect(interpolate(setting, {})).toBe(grafanaUrlSetting(repoFile));
  });

  it.skipIf(!amtool)(
    'renders notification links on GRAFANA_URL, to a dashboard that exists',
    () => {
      const url = 'https://grafana.ops.example.org';
      const content = compose.configs?.['alertmanager-grafana-url']?.content ?? '';
      const templates = {
        'aio.tmpl': read(join(INFRA, 'alertmanager/templates/aio.tmpl')),
        'grafana-url.tmpl': interpolate(content, { GRAFANA_URL: url }),
      };
      const labels = { alertname: 'HighErrorRate', service: 'demo-engine' };
      const link = renderTemplate(amtool as string, templates, labels);
      expect(link.startsWith(`${url}/d/aio-system-overview?`), link).toBe(true);
      expect(linkProblems(link, url)).toEqual([]);
    },
  );

  it('sets the Grafana security of the seed: no anonymous access, viewers by default', () => {
    const env = compose.services.grafana?.environment ?? {};
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_USERS_AUTO_ASSIGN_ORG_ROLE).toBe('Viewer');
  });
});
