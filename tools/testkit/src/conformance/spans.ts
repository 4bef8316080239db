// Runs each request of a server inside its own active span, as the OpenTelemetry HTTP
// instrumentation does, so exemplars can be checked without the tracing SDK.
import type { Server } from 'node:http';
import { context, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

/**
 * Installs an AsyncLocalStorage context manager as the global one; call the returned function to
 * remove it again.
 *
 * @example
 * beforeAll(() => (disable = enableContext()));
 */
export function enableContext(): () => void {
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  return () => context.disable();
}

/**
 * Wraps every request listener of `server` so each request runs inside a new server span, ended
 * when its response closes. Returns the span context of each request, by its URL.
 *
 * @example
 * const spans = serveInSpans(app.server);
 * await fetch(`${url}/ok`);
 * const { traceId } = spans.get('/ok')!;
 */
export function serveInSpans(server: Server): Map<string, SpanContext> {
  const tracer = new BasicTracerProvider().getTracer('@ai-orchestrator/testkit');
  const spans = new Map<string, SpanContext>();
  const listeners = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const span = tracer.startSpan(`${req.method} ${req.url}`);
    spans.set(req.url ?? '', span.spanContext());
    res.once('close', () => span.end());
    context.with(trace.setSpan(context.active(), span), () => {
      for (const listener of listeners) listener.call(server, req, res);
    });
  });
  return spans;
}
