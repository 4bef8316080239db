// The release test: publish every package with the real release tools to a local verdaccio,
// install each package with npm in clean projects outside the workspace, run its README
// example as ESM and as CommonJS, then release a changeset bump and install that.
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCommonJs } from '../src/commonjs.js';
import { startOtlpSink, type OtlpSink } from '../src/otlp-sink.js';
import { packageContents } from '../src/package-contents.js';
import { createCleanProject, type CleanProject } from '../src/project.js';
import { startRegistry, type LocalRegistry } from '../src/registry.js';
import { copyWorkspace, type PublicPackage, type WorkspaceCopy } from '../src/workspace.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// One npm cache for every clean project and run: downloads from npmjs happen once per machine.
const NPM_CACHE = join(tmpdir(), 'aio-release-test-npm-cache');

const METRICS = '@ai-orchestrator/metrics';
const TRACING = '@ai-orchestrator/tracing';
const BUSINESS = '@ai-orchestrator/business-metrics';
const FRAMEWORKS = ['express', 'fastify', 'koa', '@koa/router'];

const count = (service: string, method: string, route: string, status: number, n = 1): string =>
  `http_server_request_duration_seconds_count{service="${service}",http_request_method="${method}",http_route="${route}",http_response_status_code="${status}"} ${n}`;

interface Adapter {
  name: string;
  dir: string;
  frameworks: string[];
  example: string;
  expected: string[];
}

const ADAPTERS: Adapter[] = [
  {
    name: '@ai-orchestrator/express-monitoring',
    dir: 'express',
    frameworks: ['express'],
    example: 'quickstart.mjs',
    expected: [
      count('checkout-api', 'GET', '/api/v1/orders/:id', 200, 2),
      count('checkout-api', 'GET', '/admin/users/:id', 200),
      count('checkout-api', 'GET', '__unmatched__', 404),
      count('checkout-api', 'POST', '/api/v1/orders/:id/pay', 402),
    ],
  },
  {
    name: '@ai-orchestrator/fastify-monitoring',
    dir: 'fastify',
    frameworks: ['fastify'],
    example: 'quickstart.mjs',
    expected: [
      count('workflow-api', 'GET', '/api/v1/workflows/:id', 200),
      count('workflow-api', 'POST', '/api/v1/workflows/:id/run', 500),
      count('workflow-api', 'GET', '__unmatched__', 404),
    ],
  },
  {
    name: '@ai-orchestrator/koa-monitoring',
    dir: 'koa',
    frameworks: ['koa', '@koa/router'],
    example: 'app.mjs',
    expected: [
      count('orders-api', 'GET', '/api/orders/:id', 200),
      count('orders-api', 'GET', '__unmatched__', 404),
    ],
  },
];
const ADAPTER_NAMES = ADAPTERS.map((a) => a.name);

/** The next patch or minor version of a plain `x.y.z` version. */
function bump(version: string, type: 'patch' | 'minor'): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return type === 'patch' ? `${major}.${minor}.${patch + 1}` : `${major}.${minor + 1}.0`;
}

/** Runs the example as ESM and as its CommonJS twin; returns both outputs, ports masked. */
async function runBothWays(
  project: CleanProject,
  source: string,
  env: Record<string, string> = {},
): Promise<{ esm: string; cjs: string }> {
  const mask = (out: string): string => out.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
  const esm = await project.runScript('example.mjs', source, { PORT: '0', ...env });
  const cjs = await project.runScript('example.cjs', toCommonJs(source), { PORT: '0', ...env });
  return { esm: mask(esm), cjs: mask(cjs) };
}

/** Where `import` and `require` resolve a package from the project: the ESM and CJS builds. */
async function entryPoints(
  project: CleanProject,
  name: string,
): Promise<{ esm: string; cjs: string }> {
  const esm = await project.runScript(
    'resolve.mjs',
    `console.log(new URL(import.meta.resolve('${name}')).pathname);`,
  );
  const cjs = await project.runScript('resolve.cjs', `console.log(require.resolve('${name}'));`);
  return { esm: esm.trim(), cjs: cjs.trim() };
}

/** Each of our installed packages ships only dist and docs, with every export target present. */
function expectShippedBuilds(project: CleanProject): void {
  for (const pkg of project.installed().filter((p) => p.name.startsWith('@ai-orchestrator/'))) {
    const { entries, targets } = packageContents(pkg.path);
    expect(entries, pkg.name).toContain('dist');
    expect(
      entries.filter((e) => !['dist', 'package.json', 'README.md', 'CHANGELOG.md'].includes(e)),
      pkg.name,
    ).toEqual([]);
    expect(
      targets.filter((t) => !t.exists),
      pkg.name,
    ).toEqual([]);
    // ESM and CJS builds with their own declarations behind every entry point
    for (const condition of [
      'import.types',
      'import.default',
      'require.types',
      'require.default',
    ]) {
      const points = targets.filter(
        (t) => t.condition === condition && t.subpath !== './package.json',
      );
      expect(points.length, `${pkg.name} ${condition}`).toBeGreaterThan(0);
    }
  }
}

describe('release through a local verdaccio registry', () => {
  let registry: LocalRegistry;
  let copy: WorkspaceCopy;
  let sink: OtlpSink;
  let released: PublicPackage[];
  const projects = new Map<string, CleanProject>();
  const cleanup: (() => void | Promise<void>)[] = [];

  const releaseFromCopy = async (): Promise<void> => {
    // `pnpm release` is build, test, `changeset publish`: the test suite is the one running this.
    await copy.pnpm([
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=./packages/*',
      '--output-logs=errors-only',
    ]);
    await copy.pnpm(['exec', 'changeset', 'publish', '--no-git-tag']);
  };
  const example = (dir: string, file: string): string =>
    readFileSync(join(copy.dir, 'packages', dir, 'examples', file), 'utf8');
  const project = (name: string): CleanProject => {
    const found = projects.get(name);
    if (!found) throw new Error(`no clean project ${name}`);
    return found;
  };

  beforeAll(async () => {
    mkdirSync(NPM_CACHE, { recursive: true });
    registry = await startRegistry();
    cleanup.push(() => registry.stop());
    sink = await startOtlpSink();
    cleanup.push(() => sink.close());
    copy = await copyWorkspace(ROOT, registry);
    cleanup.push(() => copy.remove());

    await copy.pnpm(['version-packages']); // applies the pending changesets, if any
    released = copy.publicPackages();
    await releaseFromCopy();

    const installs: Record<string, string[]> = {
      ...Object.fromEntries(ADAPTERS.map((a) => [a.dir, [a.name, 'prom-client', ...a.frameworks]])),
      tracing: [TRACING, '@opentelemetry/api'], // the README's install line
      'business-metrics': [BUSINESS, METRICS, 'prom-client'],
    };
    for (const name of Object.keys(installs)) {
      const app = createCleanProject(name, registry.url, NPM_CACHE);
      projects.set(name, app);
      cleanup.push(() => app.remove());
    }
    await Promise.all(
      Object.entries(installs).map(([name, specs]) => project(name).install(specs)),
    );
  }, 420_000);

  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('publishes every public package at its changeset version with workspace ranges resolved', async () => {
    expect(released.map((p) => p.name).sort()).toEqual(
      [BUSINESS, METRICS, TRACING, ...ADAPTER_NAMES].sort(),
    );
    const metricsVersion = released.find((p) => p.name === METRICS)!.version;
    for (const pkg of released) {
      const packument = await registry.packument(pkg.name);
      expect(packument['dist-tags'].latest, pkg.name).toBe(pkg.version);
      const manifest = packument.versions[pkg.version]!;
      const ranges = { ...manifest.dependencies, ...manifest.peerDependencies };
      for (const [dep, range] of Object.entries(ranges)) {
        expect(range, `${pkg.name} -> ${dep}`).not.toMatch(/^workspace:/);
      }
      if (pkg.name !== METRICS) expect(manifest.dependencies?.[METRICS]).toBe(`^${metricsVersion}`);
    }
  });

  describe.each(ADAPTERS)('$name', (adapter) => {
    it('installs with npm without any other framework, adapter or the tracing SDK', () => {
      const app = project(adapter.dir);
      const names = new Set(app.installed().map((p) => p.name));
      const ours = [...names].filter((n) => n.startsWith('@ai-orchestrator/')).sort();
      expect(ours).toEqual([adapter.name, METRICS].sort());
      for (const framework of FRAMEWORKS.filter((f) => !adapter.frameworks.includes(f))) {
        expect(names.has(framework), `${framework} installed`).toBe(false);
      }
      // prom-client needs the OpenTelemetry API; nothing may bring an SDK or instrumentation.
      expect([...names].filter((n) => n.startsWith('@opentelemetry/'))).toEqual([
        '@opentelemetry/api',
      ]);
      const version = released.find((p) => p.name === adapter.name)!.version;
      expect(app.versionOf(adapter.name)).toBe(version);
      expectShippedBuilds(app);
    });

    it('runs its README example as ESM and as CommonJS', async () => {
      const app = project(adapter.dir);
      const { esm, cjs } = await runBothWays(app, example(adapter.dir, adapter.example));
      for (const line of adapter.expected) {
        expect(esm).toContain(line);
        expect(cjs).toContain(line);
      }
      expect(cjs).toBe(esm);
      const entry = await entryPoints(app, adapter.name);
      expect(entry.esm).toBe(join(app.dir, 'node_modules', adapter.name, 'dist', 'index.js'));
      expect(entry.cjs).toBe(join(app.dir, 'node_modules', adapter.name, 'dist', 'index.cjs'));
    });
  });

  it('tracing: installs without frameworks or adapters and exports the quickstart spans both ways', async () => {
    const app = project('tracing');
    const names = new Set(app.installed().map((p) => p.name));
    for (const other of [...FRAMEWORKS, ...ADAPTER_NAMES, BUSINESS]) {
      expect(names.has(other), `${other} installed`).toBe(false);
    }
    expect(names.has('@opentelemetry/sdk-node')).toBe(true);
    expectShippedBuilds(app);

    const source = example('tracing', 'quickstart.mjs');
    for (const [file, code] of [
      ['example.mjs', source],
      ['example.cjs', toCommonJs(source)],
    ] as const) {
      const before = sink.bodies().length;
      const out = await app.runScript(file, code, { JAEGER_ENDPOINT: sink.url });
      expect(out, file).toContain('workflow returned: three bullet points');
      expect(out, file).toContain('spans flushed');
      const exported = Buffer.concat(sink.bodies().slice(before)).toString('latin1');
      expect(exported, file).toContain('workflow.execute');
      expect(exported, file).toContain('custom-operation');
      expect(exported, file).toContain('[REDACTED]');
      expect(exported, file).not.toContain('ann@example.com');
      expect(exported, file).not.toContain('078-05-1120');
    }
  });

  it('business-metrics and metrics: install without frameworks or tracing, quickstarts run both ways', async () => {
    const app = project('business-metrics');
    const names = new Set(app.installed().map((p) => p.name));
    for (const other of [...FRAMEWORKS, ...ADAPTER_NAMES, TRACING, 'ioredis']) {
      expect(names.has(other), `${other} installed`).toBe(false);
    }
    expectShippedBuilds(app);

    const kpis = await runBothWays(app, example('business-metrics', 'quickstart.mjs'));
    for (const out of [kpis.esm, kpis.cjs]) {
      const [json = '{}', ...lines] = out.trim().split('\n');
      expect(JSON.parse(json)).toMatchObject({ dau: 2, mau: 2, mrr: { USD: 199 }, csat: 0.5 });
      expect(lines).toContain('business_active_users{service="quickstart",window="30d"} 2');
      expect(lines).toContain('business_api_requests_total{service="quickstart",plan="pro"} 1');
    }

    const core = await runBothWays(app, example('metrics', 'quickstart.mjs'));
    for (const out of [core.esm, core.cjs]) {
      expect(out).toContain(
        'workflow_executions_total{service="quickstart",workflow_name="summarize",engine_type="openai",status="success"} 1',
      );
      expect(out).toContain(count('quickstart', 'GET', '/users/:id', 200));
    }
  });

  it('releases a changeset bump that a second clean project installs', async () => {
    const before = new Map(released.map((p) => [p.name, p.version]));
    // A 0.x minor leaves the dependents' `^0.y.z` range, so changesets must release them too
    // (a patch would not: their range already admits it).
    copy.addChangeset(
      'release-test-metrics-minor',
      { [METRICS]: 'minor' },
      'Release test: a new minor of the metrics core.',
    );
    await copy.pnpm(['version-packages']);
    const after = new Map(copy.publicPackages().map((p) => [p.name, p.version]));

    const metricsVersion = after.get(METRICS)!;
    expect(metricsVersion).toBe(bump(before.get(METRICS)!, 'minor'));
    for (const [name, version] of before) {
      if (name !== METRICS) expect(after.get(name), name).toBe(bump(version, 'patch'));
    }
    const changelog = (dir: string): string =>
      readFileSync(join(copy.dir, 'packages', dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog('metrics')).toContain(`## ${metricsVersion}`);
    expect(changelog('metrics')).toContain('Release test: a new minor of the metrics core.');
    for (const adapter of ADAPTERS) {
      expect(changelog(adapter.dir)).toContain(`## ${after.get(adapter.name)}`);
      expect(changelog(adapter.dir)).toContain(`${METRICS}@${metricsVersion}`);
    }

    await releaseFromCopy();
    for (const [name, version] of after) {
      const packument = await registry.packument(name);
      expect(packument['dist-tags'].latest, name).toBe(version);
      expect(Object.keys(packument.versions), name).toContain(before.get(name));
      if (name !== METRICS) {
        expect(packument.versions[version]!.dependencies?.[METRICS]).toBe(`^${metricsVersion}`);
      }
    }

    const [express] = ADAPTERS;
    const app = createCleanProject('express-bumped', registry.url, NPM_CACHE);
    cleanup.push(() => app.remove());
    await app.install([express!.name, 'prom-client', ...express!.frameworks]);
    expect(app.versionOf(express!.name)).toBe(after.get(express!.name));
    expect(app.versionOf(METRICS)).toBe(metricsVersion);
    expect(app.installed().filter((p) => p.name === METRICS)).toHaveLength(1);
    expectShippedBuilds(app);
    const out = await app.runScript('example.mjs', example('express', 'quickstart.mjs'), {
      PORT: '0',
    });
    for (const line of express!.expected) expect(out).toContain(line);
  }, 300_000);
});
