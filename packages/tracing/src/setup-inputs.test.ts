// Setup inputs that end up in every export request (headers, URLs, their variables): a value that
// would make every export fail is refused at setup, naming the field, with the secret masked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TracingService } from './index.js';
import { NO_INSTRUMENTATIONS } from '../test/no-instrumentations.js';

const OFF = NO_INSTRUMENTATIONS;
const SECRET = 'Bearer s3cr3t-t0ken-value';

/** The TypeError `fn` throws (the test fails when it throws nothing). */
function errorOf(fn: () => unknown): TypeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError;
  }
  throw new Error('expected a TypeError, nothing was thrown');
}

let service: TracingService | undefined;
afterEach(async () => {
  await service?.shutdown();
  service = undefined;
  vi.unstubAllEnvs();
});

describe('OTLP headers', () => {
  it.each([
    ['CR LF', `${SECRET}\r\nX-Injected: 1`, 25],
    ['LF', `${SECRET}\n`, 25],
    ['NUL', `${SECRET}\u0000`, 25],
    ['a character past Latin-1', `${SECRET}€`, 25],
  ])('refuses a value with %s, naming the header and masking the value', (_what, value, at) => {
    const error = errorOf(
      () => new TracingService({ serviceName: 'x', headers: { authorization: value } }),
    );
    expect(error.message).toMatch(
      /^TracingService: headers\.authorization must be an HTTP header value without CR, LF or other control characters, got "Bear…" \(\d+ characters, .+ at index \d+\)$/,
    );
    expect(error.message).toContain(`at index ${at}`);
    expect(error.message).not.toContain('s3cr3t');
  });

  it.each(['x tenant', 'x:tenant', '', 'x-ténant', 'x\r\ny'])(
    'refuses the header name %j',
    (name) => {
      const error = errorOf(
        () => new TracingService({ serviceName: 'x', headers: { [name]: 'v' } }),
      );
      expect(error.message).toMatch(/^TracingService: headers name must be an HTTP header name/);
    },
  );

  it('accepts tabs, spaces and Latin-1 in values', () => {
    expect(
      () => new TracingService({ serviceName: 'x', headers: { 'x-note': 'a\tb c é' } }),
    ).not.toThrow();
  });

  it('refuses OTEL_EXPORTER_OTLP_HEADERS with an encoded CR LF or an entry it would drop', () => {
    vi.stubEnv(
      'OTEL_EXPORTER_OTLP_HEADERS',
      `x-tenant=acme,authorization=${encodeURIComponent(`${SECRET}\r\n`)}`,
    );
    service = new TracingService({ serviceName: 'x', instrumentations: OFF });
    const error = errorOf(() => service?.initialize());
    expect(error.message).toMatch(
      /^TracingService: OTEL_EXPORTER_OTLP_HEADERS\.authorization must be/,
    );
    expect(error.message).not.toContain('s3cr3t');
    expect(service.running).toBe(false);
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'x-tenant=acme,authorization');
    expect(() =>
      new TracingService({ serviceName: 'x', instrumentations: OFF }).initialize(),
    ).toThrow(/OTEL_EXPORTER_OTLP_HEADERS entry 1 must be key=value/);
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', '');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'authorization=Bearer%20a;b');
    expect(() =>
      new TracingService({ serviceName: 'x', instrumentations: OFF }).initialize(),
    ).toThrow(/OTEL_EXPORTER_OTLP_TRACES_HEADERS entry 0 must be key=value .*percent-encode/);
  });
});

describe('user RegExps matched on request paths', () => {
  it.each([
    ['sampler.alwaysSample[1]', { sampler: { alwaysSample: ['/ok', /^\/(?=admin)/] } }],
    ['ignorePaths[0]', { ignorePaths: [/^\/(?!api)/] }],
  ])('refuses one RE2 cannot run in linear time (%s), naming it', (field, options) => {
    const error = errorOf(() => new TracingService({ serviceName: 'x', ...options }));
    expect(error.message).toContain(`${field} must be a RegExp that runs in linear time`);
  });
});

describe('delays', () => {
  // past 2^31 - 1 ms Node fires a timer after 1 ms: every export would be reported unanswered
  it.each([
    ['exportTimeoutMs', { exportTimeoutMs: 3_000_000_000 }, '1 to 2147483647, got 3000000000'],
    ['shutdownTimeoutMs', { shutdownTimeoutMs: 2_147_483_648 }, '1 to 2147483647, got 2147483648'],
    ['scheduledDelayMs', { scheduledDelayMs: 2 ** 40 }, '0 to 2147483647, got 1099511627776'],
    [
      'sampler.jaegerRemote.pollingIntervalMs',
      { sampler: { jaegerRemote: { endpoint: 'http://jaeger:5778', pollingIntervalMs: 2 ** 31 } } },
      '1 to 2147483647, got 2147483648',
    ],
  ])('refuses %s past what a Node timer holds, naming it', (field, options, range) => {
    const error = errorOf(() => new TracingService({ serviceName: 'x', ...options }));
    expect(error.message).toBe(`TracingService: ${field} must be an integer from ${range}`);
  });

  it('takes the longest delay a timer holds', () => {
    service = new TracingService({
      serviceName: 'x',
      exportTimeoutMs: 2_147_483_647,
      shutdownTimeoutMs: 2_147_483_647,
      instrumentations: OFF,
    });
    expect(service.running).toBe(false);
  });
});

describe('URLs', () => {
  it.each([
    ['endpoint', { endpoint: 'http://collector:4318/v1/tr\r\naces' }, '"\\r" at index 27'],
    ['endpoint', { endpoint: 'http://collector:4318/v1/tr aces' }, '" " at index 27'],
    ['jaegerEndpoint', { jaegerEndpoint: 'http://jae\nger:14268/api/traces' }, '"\\n" at index 10'],
    [
      'sampler.jaegerRemote.endpoint',
      { sampler: { jaegerRemote: { endpoint: 'http://jaeger:\t5778' } } },
      '"\\t" at index 14',
    ],
  ])('refuses %s with a control character or a space', (field, options, where) => {
    const error = errorOf(() => new TracingService({ serviceName: 'x', ...options }));
    expect(error.message).toContain(
      `TracingService: ${field} must be an http:// or https:// URL without spaces or control characters`,
    );
    expect(error.message).toContain(where);
  });

  it('masks credentials and the query of a refused URL', () => {
    const error = errorOf(
      () =>
        new TracingService({
          serviceName: 'x',
          endpoint: 'https://user:p4ss w0rd@collector.example/v1/traces?token=t0k3n',
        }),
    );
    expect(error.message).toContain('"https://…@collector.example/v1/traces?…"');
    expect(error.message).not.toMatch(/p4ss|t0k3n/);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http://collector:4318/v1/tr\r\naces'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
  ])('refuses %s at initialize(), naming the variable', (name, value) => {
    vi.stubEnv(name, value);
    service = new TracingService({ serviceName: 'x', instrumentations: OFF });
    expect(() => service?.initialize()).toThrow(
      new RegExp(`^TracingService: ${name} must be an http`),
    );
  });

  it('ignores blanks around a URL, as URL parsing does (a variable read from a file)', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ' http://127.0.0.1:4318/v1/traces\n');
    service = new TracingService({ serviceName: 'x', instrumentations: OFF }).initialize();
    expect(service.running).toBe(true);
  });

  it('an endpoint option wins over a bad endpoint variable, which the exporter then ignores', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'not a url');
    service = new TracingService({
      serviceName: 'x',
      endpoint: 'http://127.0.0.1:4318',
      instrumentations: OFF,
    }).initialize();
    expect(service.running).toBe(true);
  });

  it('refuses a jaeger_remote sampler endpoint in OTEL_TRACES_SAMPLER_ARG', () => {
    vi.stubEnv('OTEL_TRACES_SAMPLER', 'parentbased_jaeger_remote');
    vi.stubEnv('OTEL_TRACES_SAMPLER_ARG', 'endpoint=jaeger:5778,pollingIntervalMs=5000');
    service = new TracingService({ serviceName: 'x', instrumentations: OFF });
    expect(() => service?.initialize()).toThrow(
      /TracingService: OTEL_TRACES_SAMPLER_ARG endpoint must be an http:\/\/ or https:\/\/ URL/,
    );
  });
});
