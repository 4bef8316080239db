// A real OpenTelemetry SDK for the GenAI tests: a global tracer provider with an in-memory
// exporter and AsyncLocalStorage context, so spans, parents and exemplars are the SDK's own.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  /** Ended spans so far. */
  spans(): ReadableSpan[];
  /** Spans of `name` (or starting with it when it ends in a space). */
  named(name: string): ReadableSpan[];
  uninstall(): Promise<void>;
}

/** Registers the SDK globally; uninstall() before the next file's tests. */
export function installTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(provider);
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    named: (name) =>
      exporter
        .getFinishedSpans()
        .filter((s) => (name.endsWith(' ') ? s.name.startsWith(name) : s.name === name)),
    async uninstall() {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
