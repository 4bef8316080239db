// Reads the active span through @opentelemetry/api only, so tracing stays optional: when the API
// is not installed there are simply no exemplars.
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

/** The ids of a sampled span, in the OpenTelemetry exemplar label names. */
export interface TraceIds {
  readonly trace_id: string;
  readonly span_id: string;
}

let api: typeof OtelApi | null | undefined;

// Where @opentelemetry/api 1.x (our peer range, >=1.3 <2) keeps its context manager and tracer
// provider: every copy of the major shares this slot.
const API_1_SLOT = Symbol.for('opentelemetry.js.api.1');

/** @opentelemetry/api when installed (one copy per process), else null. */
export function loadApi(): typeof OtelApi | null {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@opentelemetry/api') as typeof OtelApi;
    } catch {
      api = null;
    }
  }
  return api;
}

/**
 * False when nothing was ever registered with the API (no context manager, no tracer provider),
 * so no span can be active: then a request skips the API's lookups.
 */
function tracingRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[API_1_SLOT] !== undefined;
}

/** Trace and span id of the active, sampled span, or undefined. Never throws. */
export function activeTraceIds(): TraceIds | undefined {
  const otel = loadApi();
  if (!otel || !tracingRegistered()) return undefined;
  try {
    const span = otel.trace.getActiveSpan();
    if (!span) return undefined;
    const ctx = span.spanContext();
    if (!otel.isSpanContextValid(ctx) || (ctx.traceFlags & otel.TraceFlags.SAMPLED) === 0) {
      return undefined;
    }
    return { trace_id: ctx.traceId, span_id: ctx.spanId };
  } catch {
    return undefined;
  }
}

/** Sets attributes on the active span, if there is one. Never throws. */
export function annotateActiveSpan(attributes: Record<string, string>): void {
  const otel = loadApi();
  if (!otel) return;
  try {
    otel.trace.getActiveSpan()?.setAttributes(attributes);
  } catch {
    // instrumentation must not break the caller
  }
}

// OpenMetrics caps an exemplar's label names and values at 128 UTF-8 characters in all.
const EXEMPLAR_BUDGET = 128;

/** Exemplar labels: the trace ids, plus extra labels while they fit the OpenMetrics budget. */
export function exemplarLabels(
  ids: TraceIds | undefined,
  extra?: Record<string, string>,
): Record<string, string> | undefined {
  let labels: Record<string, string> | undefined = ids ? { ...ids } : undefined;
  let used = ids ? 'trace_id'.length + 32 + 'span_id'.length + 16 : 0;
  if (extra) {
    for (const [name, value] of Object.entries(extra)) {
      const size = name.length + Buffer.byteLength(value);
      // Valid OpenMetrics, but parsers that end an exemplar at its first `}` (the Python
      // client's) would reject the whole scrape: such a value is left out of the exemplar.
      if (used + size > EXEMPLAR_BUDGET || value.includes('}')) continue;
      // (assigned: a literal with a computed key slows for good after an idle collection)
      labels = { ...labels };
      labels[name] = value;
      used += size;
    }
  }
  return labels;
}
