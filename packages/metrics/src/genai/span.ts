// GenAI spans through @opentelemetry/api only: without the API, or without a registered SDK,
// they are no-ops. Never throws: a tracer that fails loses the span, not the call.
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { loadApi, type TraceIds } from '../exemplars.js';

const SCOPE = '@ai-orchestrator/metrics';

/** A started span and the context in which it is the active span. */
export interface SpanRef {
  readonly span: Span;
  readonly context: Context;
}

/** Starts a span under the active one; `client` spans call a remote model or agent. */
export function startSpan(
  name: string,
  kind: 'client' | 'internal',
  attributes: Attributes,
): SpanRef | undefined {
  const api = loadApi();
  if (!api) return undefined;
  try {
    // Asked each time: a tracer kept from before a provider was (re)registered would be stale.
    const tracer = api.trace.getTracer(SCOPE);
    const parent = api.context.active();
    const spanKind = kind === 'client' ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL;
    const span = tracer.startSpan(name, { kind: spanKind, attributes }, parent);
    // A span nobody records needs no context of its own: children keep the caller's parent.
    return { span, context: span.isRecording() ? api.trace.setSpan(parent, span) : parent };
  } catch {
    return undefined;
  }
}

/** Runs `fn` with the span active (so the SDK's HTTP client span nests under it). */
export function runInSpan<T>(ref: SpanRef | undefined, fn: () => T): T {
  const api = ref ? loadApi() : null;
  return api && ref ? api.context.with(ref.context, fn) : fn();
}

/** Whether the span records (an SDK is registered and sampled it): else its attributes are dropped. */
export function recording(ref: SpanRef | undefined): ref is SpanRef {
  try {
    return ref !== undefined && ref.span.isRecording();
  } catch {
    return false;
  }
}

/** Trace and span id of a sampled span, for exemplars. */
export function sampledIds(ref: SpanRef | undefined): TraceIds | undefined {
  if (!ref) return undefined;
  try {
    const ctx = ref.span.spanContext();
    return (ctx.traceFlags & 1) === 1 ? { trace_id: ctx.traceId, span_id: ctx.spanId } : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the final attributes, the error status when there is one, and ends the span. */
export function endSpan(
  ref: SpanRef | undefined,
  attributes: Attributes,
  error?: { readonly type: string; readonly message: string },
): void {
  const api = ref ? loadApi() : null;
  if (!ref || !api) return;
  try {
    ref.span.setAttributes(attributes);
    if (error) {
      ref.span.setAttribute('error.type', error.type);
      ref.span.setStatus({ code: api.SpanStatusCode.ERROR, message: error.message });
    }
    ref.span.end();
  } catch {
    // instrumentation must not break the caller
  }
}
