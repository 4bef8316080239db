import { describe, expect, it } from 'vitest';
import {
  defaultServiceName,
  describeValue,
  expressPathTemplate,
  invalid,
  Warnings,
} from './shared.js';

describe('the helpers every package shares', () => {
  it('shows a value in an error the way a reader can tell it apart', () => {
    const shown = [
      'x',
      '',
      42,
      -0.5,
      true,
      10n,
      null,
      undefined,
      Symbol('s'),
      () => 1,
      [1],
      /a+/i,
      {},
      new Date(0),
    ].map(describeValue);
    expect(shown).toEqual([
      '"x"',
      '""',
      '42',
      '-0.5',
      'true',
      '10',
      'null',
      'undefined',
      'Symbol(s)',
      'a function',
      'an array',
      '/a+/i',
      'an object',
      'an object',
    ]);
    expect(invalid('setup', 'limits', {}, 'a number').message).toBe(
      'setup: limits must be a number, got an object',
    );
  });

  it('says each warning once per key, with its source, type and code', async () => {
    const seen: Error[] = [];
    const listen = (warning: Error): void => void seen.push(warning);
    process.on('warning', listen);
    const warnings = new Warnings('@ai-orchestrator/test', 'TestWarning');
    expect(warnings.once('a', 'first', 'AIO_TEST')).toBe(true);
    expect(warnings.once('a', 'again')).toBe(false);
    expect(warnings.once('b', 'other')).toBe(true);
    // Another object has its own keys.
    expect(new Warnings('@ai-orchestrator/test', 'TestWarning').once('a', 'elsewhere')).toBe(true);
    // process.emitWarning delivers on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listen);
    expect(seen.map((warning) => [warning.name, warning.message])).toEqual([
      ['TestWarning', '@ai-orchestrator/test: first'],
      ['TestWarning', '@ai-orchestrator/test: other'],
      ['TestWarning', '@ai-orchestrator/test: elsewhere'],
    ]);
    expect((seen[0] as Error & { code?: string }).code).toBe('AIO_TEST');
  });

  it('names an unnamed service from OTEL_SERVICE_NAME, SERVICE_NAME, the package, in that order', () => {
    const all = { OTEL_SERVICE_NAME: 'otel', SERVICE_NAME: 'svc', npm_package_name: 'pkg' };
    expect(defaultServiceName(all)).toBe('otel');
    expect(defaultServiceName({ ...all, OTEL_SERVICE_NAME: '' })).toBe('svc');
    expect(defaultServiceName({ npm_package_name: 'pkg' })).toBe('pkg');
    expect(defaultServiceName({})).toBe('unknown_service:node');
  });
});

describe('expressPathTemplate', () => {
  it('reads a route path as written', () => {
    expect(expressPathTemplate('/users/:id')).toBe('/users/:id');
    expect(expressPathTemplate(/^\/re\/\d+$/)).toBe('/^\\/re\\/\\d+$/');
    expect(expressPathTemplate(['/one', '/two'])).toBe('/one');
    expect(expressPathTemplate([/^\/a/, '/b'])).toBe('/^\\/a/');
    expect(expressPathTemplate(undefined)).toBeUndefined();
    expect(expressPathTemplate(42)).toBeUndefined();
  });
});
