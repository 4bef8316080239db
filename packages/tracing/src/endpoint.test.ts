import { afterEach, describe, expect, it, vi } from 'vitest';
import { mapLegacyJaeger, resolveEndpoint } from './endpoint.js';

afterEach(() => vi.restoreAllMocks());

describe('export endpoint', () => {
  it('leaves the default to the OTLP exporter (OTEL_EXPORTER_OTLP_* or localhost:4318)', () => {
    expect(resolveEndpoint()).toBeUndefined();
  });

  it('uses an OTLP URL as given, adding /v1/traces to a bare host', () => {
    expect(resolveEndpoint('http://collector:4318/v1/traces')).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(resolveEndpoint('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(resolveEndpoint(undefined, 'https://jaeger.example:4318/')).toBe(
      'https://jaeger.example:4318/v1/traces',
    );
  });

  it('maps a legacy Jaeger collector URL (port 14268) to OTLP on the same host, warning once', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(resolveEndpoint(undefined, 'http://jaeger:14268/api/traces')).toBe(
      'http://jaeger:4318/v1/traces',
    );
    expect(resolveEndpoint(undefined, 'http://jaeger:14268/api/traces')).toBe(
      'http://jaeger:4318/v1/traces',
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /legacy Jaeger collector.*http:\/\/jaeger:4318\/v1\/traces/,
    );
    expect(mapLegacyJaeger('http://[::1]:14268/api/traces')).toBe('http://[::1]:4318/v1/traces');
    expect(mapLegacyJaeger('http://jaeger:4318/v1/traces')).toBeUndefined();
  });

  it('prefers endpoint over jaegerEndpoint', () => {
    expect(resolveEndpoint('http://a:4318/v1/traces', 'http://b:14268/api/traces')).toBe(
      'http://a:4318/v1/traces',
    );
  });
});
