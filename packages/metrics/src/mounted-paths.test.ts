import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveAdapterOptions } from './adapter-options.js';

function resolve(
  where: string,
  options: { metricsPath?: string; ignorePaths?: (string | RegExp)[] },
) {
  return resolveAdapterOptions(where, {
    serviceName: 'svc',
    registry: new Registry(),
    collectDefaultMetrics: false,
    ...options,
  });
}

describe('classifyUnder: metricsPath and ignorePaths under a mount path', () => {
  afterEach(() => vi.restoreAllMocks());

  it('matches the path relative to the mount, and the mount is never part of it', () => {
    const { classifyUnder } = resolve('relative', { ignorePaths: ['/health'] });
    expect(classifyUnder('/metrics?x=1', '/api/metrics?x=1', '/api')).toBe('metrics');
    expect(classifyUnder('/health', '/api/health', '/api')).toBe('ignore');
    expect(classifyUnder('/users/1', '/api/users/1', '/api')).toBe('record');
    // the same request under another mount value (a parameterised mount)
    expect(classifyUnder('/metrics', '/teams/red/metrics', '/teams/red')).toBe('metrics');
  });

  it('still matches a full path written with the mount, warning once with the option and value', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { classifyUnder } = resolve('legacyWhere', {
      metricsPath: '/api/metrics',
      ignorePaths: ['/api/health', /^\/api\/internal\//],
    });
    expect(classifyUnder('/metrics', '/api/metrics', '/api')).toBe('metrics');
    expect(classifyUnder('/metrics?a=1', '/api/metrics?a=1', '/api')).toBe('metrics');
    expect(classifyUnder('/health', '/api/health', '/api')).toBe('ignore');
    // a RegExp is a pattern of the relative path only
    expect(classifyUnder('/internal/x', '/api/internal/x', '/api')).toBe('record');
    expect(classifyUnder('/users/1', '/api/users/1', '/api')).toBe('record');
    const messages = warn.mock.calls.map(([message]) => String(message));
    expect(messages).toEqual([
      '@ai-orchestrator/metrics: legacyWhere: metricsPath "/api/metrics" matched the full path of a request under the mount "/api"; metricsPath and ignorePaths are relative to the mount path (write "/metrics"). The full path still works.',
      '@ai-orchestrator/metrics: legacyWhere: ignorePaths entry "/api/health" matched the full path of a request under the mount "/api"; metricsPath and ignorePaths are relative to the mount path (write "/health"). The full path still works.',
    ]);
  });

  it('does not look at the full path when no option could be one under this mount', () => {
    const { classifyUnder } = resolve('other', { metricsPath: '/ops/metrics' });
    // `/ops/metrics` is not under `/api`: the full path `/api/ops/metrics` is never taken for it
    expect(classifyUnder('/ops/metrics', '/api/ops/metrics', '/api')).toBe('metrics');
    expect(classifyUnder('/x', '/ops/metrics', '/api')).toBe('record');
  });

  it('reads neither a RegExp nor the mount path itself as a full path', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    // a pattern that the full paths under this mount all match
    const internal = resolve('regex', { ignorePaths: [/^\/internal/] });
    expect(internal.classifyUnder('/users/1', '/internal-api/users/1', '/internal-api')).toBe(
      'record',
    );
    expect(internal.classifyUnder('/internal/x', '/internal-api/internal/x', '/internal-api')).toBe(
      'ignore',
    );
    // `/admin` of a sub-app mounted at `/admin` is `/admin/admin`, not the mount's own root
    const admin = resolve('root', { ignorePaths: ['/admin'], metricsPath: '/admin' });
    expect(admin.classifyUnder('/', '/admin', '/admin')).toBe('record');
    expect(admin.classifyUnder('/', '/admin?x=1', '/admin')).toBe('record');
    expect(admin.classifyUnder('/admin', '/admin/admin', '/admin')).toBe('metrics');
    expect(warn).not.toHaveBeenCalled();
  });
});
