// Option checks: a bad option throws a TypeError naming the field, the value and what is allowed.
import { optionalName } from '@ai-orchestrator/metrics/shared';
import { checkHeaders, checkUrl } from './http-inputs.js';
import { WHERE, invalid } from './invalid.js';
import type { InstrumentationName, TracingOptions } from './types.js';
import { compileUserPattern } from './user-patterns.js';

export { invalid } from './invalid.js';

/** Longest delay Node's timers accept (2^31 - 1 ms); past it Node fires after 1 ms instead. */
export const MAX_TIMER_MS = 2_147_483_647;

export const INSTRUMENTATION_NAMES: readonly InstrumentationName[] = [
  'http',
  'express',
  'fastify',
  'koa',
  'undici',
  'ioredis',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(field: string, value: unknown): void {
  optionalName(WHERE, field, value);
}

function count(field: string, value: unknown, min: number, max?: number): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    throw invalid(
      field,
      value,
      max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
    );
  }
}

/** A delay in ms that a Node timer can hold. */
function delayMs(field: string, value: unknown, min: number): void {
  count(field, value, min, MAX_TIMER_MS);
}

function rules(field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw invalid(field, value, 'an array of strings or RegExps');
  value.forEach((rule: unknown, i) => {
    if (!(rule instanceof RegExp) && (typeof rule !== 'string' || rule === '')) {
      throw invalid(`${field}[${i}]`, rule, 'a non-empty string or a RegExp');
    }
    // every user RegExp runs on RE2: one it cannot run is refused here, by name
    if (rule instanceof RegExp) compileUserPattern(rule, `${field}[${i}]`);
  });
}

function validateSampler(value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value)) throw invalid('sampler', value, 'an object');
  const { ratio, alwaysSample, maxTracesPerSecond, jaegerRemote } = value;
  if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))) {
    throw invalid('sampler.ratio', ratio, 'a number from 0 to 1');
  }
  rules('sampler.alwaysSample', alwaysSample);
  if (
    maxTracesPerSecond !== undefined &&
    (typeof maxTracesPerSecond !== 'number' ||
      !Number.isFinite(maxTracesPerSecond) ||
      maxTracesPerSecond <= 0)
  ) {
    throw invalid('sampler.maxTracesPerSecond', maxTracesPerSecond, 'a finite number > 0');
  }
  if (jaegerRemote !== undefined) {
    if (!isRecord(jaegerRemote)) throw invalid('sampler.jaegerRemote', jaegerRemote, 'an object');
    if (jaegerRemote.endpoint === undefined) {
      throw invalid('sampler.jaegerRemote.endpoint', undefined, 'an http:// or https:// URL');
    }
    checkUrl('sampler.jaegerRemote.endpoint', jaegerRemote.endpoint);
    delayMs('sampler.jaegerRemote.pollingIntervalMs', jaegerRemote.pollingIntervalMs, 1);
  }
}

function validateRedact(value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  if (!isRecord(value)) throw invalid('redact', value, 'a boolean or an object');
  rules('redact.keys', value.keys);
  if (value.patterns !== undefined) {
    if (!Array.isArray(value.patterns)) {
      throw invalid('redact.patterns', value.patterns, 'an array of RegExps');
    }
    value.patterns.forEach((p: unknown, i) => {
      if (!(p instanceof RegExp)) throw invalid(`redact.patterns[${i}]`, p, 'a RegExp');
      compileUserPattern(p, `redact.patterns[${i}]`);
    });
  }
  if (value.replacement !== undefined && typeof value.replacement !== 'string') {
    throw invalid('redact.replacement', value.replacement, 'a string');
  }
  count('redact.maxLength', value.maxLength, 256);
}

function validateInstrumentations(value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value)) throw invalid('instrumentations', value, 'an object');
  for (const [name, on] of Object.entries(value)) {
    if (!(INSTRUMENTATION_NAMES as readonly string[]).includes(name)) {
      throw invalid(
        `instrumentations.${name}`,
        on,
        `a key among ${INSTRUMENTATION_NAMES.join(', ')}`,
      );
    }
    if (on !== undefined && typeof on !== 'boolean') {
      throw invalid(`instrumentations.${name}`, on, 'a boolean');
    }
  }
}

/** Throws a TypeError for the first bad option. */
export function validateOptions(options: unknown): asserts options is TracingOptions {
  if (!isRecord(options)) throw invalid('options', options, 'an object');
  text('serviceName', options.serviceName);
  text('serviceVersion', options.serviceVersion);
  text('environment', options.environment);
  checkUrl('endpoint', options.endpoint);
  checkUrl('jaegerEndpoint', options.jaegerEndpoint);
  if (options.headers !== undefined) checkHeaders('headers', options.headers);
  validateSampler(options.sampler);
  validateRedact(options.redact);
  count('maxQueueSize', options.maxQueueSize, 1);
  count('maxExportBatchSize', options.maxExportBatchSize, 1);
  delayMs('scheduledDelayMs', options.scheduledDelayMs, 0);
  delayMs('exportTimeoutMs', options.exportTimeoutMs, 1);
  delayMs('shutdownTimeoutMs', options.shutdownTimeoutMs, 1);
  rules('ignorePaths', options.ignorePaths);
  validateInstrumentations(options.instrumentations);
  if (options.profile !== undefined && options.profile !== 'full' && options.profile !== 'lean') {
    throw invalid('profile', options.profile, "'full' or 'lean'");
  }
  const registry = options.registry as { getSingleMetric?: unknown } | undefined;
  if (registry !== undefined && typeof registry?.getSingleMetric !== 'function') {
    throw invalid('registry', registry, 'a prom-client Registry');
  }
  const exporter = options.exporter as { export?: unknown } | undefined;
  if (exporter !== undefined && typeof exporter?.export !== 'function') {
    throw invalid('exporter', exporter, 'a SpanExporter');
  }
}
