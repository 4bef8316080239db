// The built entry points, as an app without prom-client would load them: `./shared` (which the
// tracing package loads) must not need prom-client; the root and `./adapter` do.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

describe('built entry points without prom-client installed', () => {
  let app: ReturnType<typeof tempDir>;

  beforeAll(() => {
    // An app whose node_modules holds this package and nothing else.
    app = tempDir('metrics-entries');
    const installed = join(app.path, 'node_modules', '@ai-orchestrator', 'metrics');
    mkdirSync(installed, { recursive: true });
    cpSync(join(PACKAGE, 'dist'), join(installed, 'dist'), { recursive: true });
    cpSync(join(PACKAGE, 'package.json'), join(installed, 'package.json'));
    writeFileSync(join(app.path, 'package.json'), '{ "name": "app", "private": true }');
  });
  afterAll(() => app?.remove());

  function load(entry: string, format: 'esm' | 'cjs') {
    const code =
      format === 'esm'
        ? `const m = await import('${entry}'); console.log(Object.keys(m).sort().join(','));`
        : `const m = require('${entry}'); console.log(Object.keys(m).sort().join(','));`;
    const args = format === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
    // Without NODE_PATH (pnpm sets it), require() sees only the app's node_modules.
    const { NODE_PATH: _, ...env } = process.env;
    return spawnSync(process.execPath, args, { cwd: app.path, env, encoding: 'utf8' });
  }

  it.each(['esm', 'cjs'] as const)('loads @ai-orchestrator/metrics/shared (%s)', (format) => {
    const run = load('@ai-orchestrator/metrics/shared', format);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split(',')).toEqual([
      'EXPRESS_MIDDLEWARE_NAME',
      'UNKNOWN_SERVICE',
      'Warnings',
      'defaultServiceName',
      'describeValue',
      'distrustMounts',
      'enteredExpressRouter',
      'expressPathTemplate',
      'followExpressMount',
      'invalid',
      'keepTickShape',
      'mountedBaseUrl',
      'optionalName',
      'requireName',
    ]);
  });

  it.each(['esm', 'cjs'] as const)(
    'needs prom-client for the root and ./adapter (%s)',
    (format) => {
      for (const entry of ['@ai-orchestrator/metrics', '@ai-orchestrator/metrics/adapter']) {
        const run = load(entry, format);
        expect(run.status, entry).not.toBe(0);
        expect(run.stderr, entry).toMatch(/Cannot find (package|module) 'prom-client'/);
      }
    },
  );
});

describe('built entry points of one format', () => {
  // A chunk shared by the entries, not a copy per entry: one registry state, one set of warnings.
  it.each(['esm', 'cjs'] as const)('share state between the root and ./adapter (%s)', (format) => {
    const body = `
      const registry = new Registry();
      const mine = createMetrics({ serviceName: 'shared-state', registry, collectDefaultMetrics: false });
      const resolved = resolveAdapterOptions('test', { serviceName: 'shared-state', registry });
      console.log(resolved.metrics === mine);`;
    const code =
      format === 'esm'
        ? `import { Registry } from 'prom-client';
           import { createMetrics } from '@ai-orchestrator/metrics';
           import { resolveAdapterOptions } from '@ai-orchestrator/metrics/adapter';${body}`
        : `const { Registry } = require('prom-client');
           const { createMetrics } = require('@ai-orchestrator/metrics');
           const { resolveAdapterOptions } = require('@ai-orchestrator/metrics/adapter');${body}`;
    const args = format === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
    const run = spawnSync(process.execPath, args, { cwd: PACKAGE, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('true');
  });
});
