// The 09:00 health check against real Prometheus servers: it fails (exit 1) on a target that is
// down or a rule that fails, computes the daily targets over the whole window (a backfilled
// night where averaging 5-minute values would fail them), and works behind basic auth.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  requireBinary,
  startPrometheus,
  tempDir,
  type PrometheusServer,
} from '@ai-orchestrator/testkit';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { healthCheck } from '../scripts/health-check.js';
import { startFixtureExporter, type FixtureExporter } from './fixture-exporter.js';
import { SCRIPTS, TSX } from './paths.js';
import { fastRules, RULE_FILES } from './fast-rules.js';
import { run, until } from './run.js';
import { startPrometheusWith, type Server } from './servers.js';

const prometheusBin = requireBinary('prometheus');
const promtool = requireBinary('promtool');

/** The repo's rule files evaluated every second, plus a rule that fails on every evaluation. */
function ruleFiles(): Record<string, string> {
  const files = fastRules();
  // Two `up` series matched on no label: "many-to-many matching not allowed" at every evaluation.
  files['broken.yml'] = stringify({
    groups: [
      {
        name: 'broken',
        interval: '1s',
        rules: [
          {
            record: 'test:up_matched:product',
            expr: 'up * on () up',
          },
        ],
      },
    ],
  });
  return files;
}

const healthCli = (url: string, env: Record<string, string> = {}) =>
  run(TSX, [join(SCRIPTS, 'health-check.ts'), '--prometheus', url, '--window', '10m'], env);

describe.skipIf(!prometheusBin)('health check: a target down and a rule failing', () => {
  let prometheus: PrometheusServer;
  let gateway: FixtureExporter;
  let deadPort: number;

  beforeAll(async () => {
    gateway = await startFixtureExporter({ service: 'demo-gateway' });
    deadPort = await freePort(); // nothing listens here
    const config = stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [...RULE_FILES, 'broken.yml'],
      scrape_configs: [
        {
          job_name: 'demo-gateway',
          static_configs: [{ targets: [gateway.target], labels: { service: 'demo-gateway' } }],
        },
        {
          job_name: 'demo-engine',
          static_configs: [
            { targets: [`127.0.0.1:${deadPort}`], labels: { service: 'demo-engine' } },
          ],
        },
      ],
    });
    prometheus = await startPrometheus(prometheusBin as string, config, ruleFiles());
    await until('the engine down, the broken rule failing and the gateway measured', async () => {
      const rules = await prometheus.api<{ groups: { rules: { health: string }[] }[] }>('rules');
      const failing = rules.groups.flatMap((g) => g.rules).some((r) => r.health === 'err');
      const down = await prometheus.api<{ result: unknown[] }>('query', { query: 'up == 0' });
      const measured = await prometheus.api<{ result: unknown[] }>('query', {
        query: 'increase(http_server_request_duration_seconds_count[10m]) > 0',
      });
      return failing && down.result.length === 1 && measured.result.length > 0;
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await gateway?.stop();
  });

  it('exits 1 and names the target down and the rule failing, though every objective is met', async () => {
    const result = await healthCli(prometheus.url);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^\| error rate \| demo-gateway \| < 1 % \| 0\.00 % \| ✅ pass \|$/m,
    );
    expect(result.stdout).toContain(
      '**Result: all targets met; stack unhealthy (1 targets down, 1 rules failing).**',
    );
    expect(result.stdout).toContain(`  - ❌ down: demo-engine 127.0.0.1:${deadPort}`);
    expect(result.stdout).toMatch(
      /^ {2}- ❌ failing: broken\/test:up_matched:product: .*many-to-many matching not allowed/m,
    );
    expect(result.code).toBe(1);
  });

  it('exits 2 with the HTTP status when Prometheus answers with an error page', async () => {
    const result = await healthCli(`${prometheus.url}/no-such-prefix`);
    // 404 from Prometheus 2's router; a server that answers 200 with a page is "not JSON".
    expect(result.stderr).toMatch(
      /health-check: GET .*\/no-such-prefix\/api\/v1\/query.*: (HTTP 404|not JSON)/,
    );
    expect(result.code).toBe(2);
  });
});

// ---------------------------------------------------------------- a backfilled window

const START = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600; // whole hours, in the past
const STEP = 15;
const HALF = 30 * 60;

/**
 * One hour of OpenMetrics for service demo-window: a busy, healthy first half (1500 fast OK
 * requests and 100 successful workflows each 15 s) and a quiet, failing second half (16 slow
 * requests of 5 s, half of them 500; 2 of 4 workflows failed). Over the hour every objective is met;
 * the average of the 5-minute values misses all three.
 */
function backfill(): string {
  const series = new Map<string, number>();
  const lines: string[] = [];
  const add = (name: string, labels: string, delta: number, t: number) => {
    const key = `${name}{service="demo-window"${labels}}`;
    series.set(key, (series.get(key) ?? 0) + delta);
    lines.push(`${key} ${series.get(key)} ${t}`);
  };
  for (let t = START; t <= START + 2 * HALF; t += STEP) {
    const busy = t < START + HALF;
    const [ok, errors, fast] = busy ? [1500, 0, 1500] : [8, 8, 0];
    for (const le of ['0.1', '1', '10', '+Inf']) {
      const slow = le === '10' || le === '+Inf' ? ok + errors - fast : 0;
      add('http_server_request_duration_seconds_bucket', `,le="${le}"`, fast + slow, t);
    }
    add('http_server_request_duration_seconds_count', ',http_response_status_code="200"', ok, t);
    add(
      'http_server_request_duration_seconds_count',
      ',http_response_status_code="500"',
      errors,
      t,
    );
    add('workflow_executions_total', ',status="success"', busy ? 100 : 2, t);
    add('workflow_executions_total', ',status="failure"', busy ? 0 : 2, t);
  }
  // Grouped by series, each in time order, as the OpenMetrics parser wants.
  const byName = [...series.keys()].map((key) => lines.filter((l) => l.startsWith(`${key} `)));
  const names = [...new Set([...series.keys()].map((k) => k.split('{')[0]))];
  return [
    ...names.flatMap((n) => [
      `# TYPE ${n} unknown`,
      ...byName.filter((group) => group[0]?.startsWith(`${n}{`)).flat(),
    ]),
    '# EOF',
    '',
  ].join('\n');
}

describe.skipIf(!prometheusBin || !promtool)('health check over a backfilled hour', () => {
  let prometheus: Server;

  beforeAll(async () => {
    prometheus = await startPrometheusWith(prometheusBin as string, {
      config: stringify({ global: { scrape_interval: '15s' } }),
      fillData: (data) => {
        const tmp = tempDir('backfill');
        try {
          writeFileSync(join(tmp.path, 'window.om'), backfill());
          const result = spawnSync(
            promtool as string,
            ['tsdb', 'create-blocks-from', 'openmetrics', join(tmp.path, 'window.om'), data],
            { encoding: 'utf8' },
          );
          if (result.status !== 0) throw new Error(`promtool backfill: ${result.stderr}`);
        } finally {
          tmp.remove();
        }
      },
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('meets every objective over the hour, where 5-minute averages would miss them', async () => {
    const now = new Date((START + 2 * HALF) * 1000);
    const report = await healthCheck({ prometheus: prometheus.url, window: '1h', now });
    const row = (target: string) =>
      new RegExp(
        `^\\| ${target} \\| demo-window \\| [^|]+ \\| ([\\d.]+) (s|%) \\| ✅ pass \\|$`,
        'm',
      );
    const value = (target: string) => Number(row(target).exec(report.markdown)?.[1]);
    expect(report.markdown).toMatch(row('p95 latency'));
    expect(value('p95 latency')).toBeLessThan(0.1);
    expect(value('error rate')).toBeCloseTo((8 * 120 * 100) / (1516 * 120), 1); // 0.53 %
    expect(value('workflow success')).toBeCloseTo((102 * 120 * 100) / (104 * 120), 0); // 98 %
    expect(report.ok).toBe(true);

    // The same hour judged by averaging 5-minute values (what the check used to do) fails.
    const avg = async (expr: string) => {
      const q = new URLSearchParams({
        query: `avg_over_time((${expr})[1h:1m])`,
        time: `${START + 2 * HALF}`,
      });
      const body = (await (await fetch(`${prometheus.url}/api/v1/query?${q}`)).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      return Number(body.data.result[0]?.value[1]);
    };
    const errors5m =
      'sum(rate(http_server_request_duration_seconds_count{http_response_status_code="500"}[5m])) / sum(rate(http_server_request_duration_seconds_count[5m]))';
    expect(await avg(errors5m)).toBeGreaterThan(0.01);
    const p95 =
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket[5m])))';
    expect(await avg(p95)).toBeGreaterThan(1);
  });
});

// ---------------------------------------------------------------- behind basic auth

describe.skipIf(!prometheusBin)('health check behind basic auth', () => {
  const password = randomBytes(12).toString('hex');
  const basic = `ops:${password}`;
  const header = { authorization: `Basic ${Buffer.from(basic).toString('base64')}` };
  let prometheus: Server;

  beforeAll(async () => {
    prometheus = await startPrometheusWith(prometheusBin as string, {
      config: stringify({ global: { scrape_interval: '1s' } }),
      webConfig: stringify({ basic_auth_users: { ops: bcrypt.hashSync(password, 4) } }),
      headers: header,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('sends MONITORING_BASIC_AUTH, and says 401 without it', async () => {
    const denied = await healthCli(prometheus.url);
    expect(denied.stderr).toMatch(/health-check: GET .*\/api\/v1\/query.*: HTTP 401/);
    expect(denied.code).toBe(2);
    const allowed = await healthCli(prometheus.url, { MONITORING_BASIC_AUTH: basic });
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toMatch(/^# Daily health check, /m);
    // No service reports anything here: the targets have no data, which is a miss.
    expect(allowed.stdout).toContain('| p95 latency | all | < 1 s | no data | ❌ fail |');
    expect(allowed.code).toBe(1);
  });

  it('rejects credentials that are not user:password, naming the variable', async () => {
    const result = await healthCli(prometheus.url, { MONITORING_BASIC_AUTH: 'no-colon' });
    expect(result.stderr).toContain('MONITORING_BASIC_AUTH must be user:password');
    expect(result.code).toBe(2);
  });
});
