// Reading traces back from Jaeger's query API (`/api/traces`, the JSON the Jaeger UI uses).
import { setTimeout as sleep } from 'node:timers/promises';
import type { JaegerServer } from '@ai-orchestrator/testkit';

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly processID: string;
  readonly references: readonly { refType: string; spanID: string }[];
  readonly tags: readonly { key: string; value: unknown }[];
}
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { serviceName: string }>>;
}

/** Jaeger may print a trace id without its leading zeros. */
export const sameTraceId = (a: string, b: string): boolean =>
  a.replace(/^0+/, '') === b.replace(/^0+/, '');

export const serviceOf = (trace: JaegerTrace, span: JaegerSpan): string =>
  trace.processes[span.processID]?.serviceName ?? '?';

const kindOf = (span: JaegerSpan): unknown => span.tags.find((t) => t.key === 'span.kind')?.value;

/**
 * The services met walking up from `span` to the root, consecutive repeats folded:
 * an engine span under a gateway → orchestrator → engine call gives
 * ['demo-engine', 'demo-orchestrator', 'demo-gateway'].
 */
export function serviceChain(trace: JaegerTrace, span: JaegerSpan): string[] {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const chain: string[] = [];
  for (let at: JaegerSpan | undefined = span; at;) {
    const service = serviceOf(trace, at);
    if (chain.at(-1) !== service) chain.push(service);
    const parentId: string | undefined = at.references.find(
      (r) => r.refType === 'CHILD_OF',
    )?.spanID;
    at = parentId === undefined ? undefined : byId.get(parentId);
  }
  return chain;
}

/** Problems with a trace's tree: orphans (a parent not in the trace) and roots other than one server span. */
export function treeProblems(trace: JaegerTrace): string[] {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const problems: string[] = [];
  const roots = trace.spans.filter((s) => !s.references.some((r) => r.refType === 'CHILD_OF'));
  if (roots.length !== 1)
    problems.push(`${roots.length} roots: ${roots.map((r) => r.operationName).join(', ')}`);
  for (const root of roots)
    if (kindOf(root) !== 'server')
      problems.push(`root ${root.operationName} is ${String(kindOf(root))}`);
  for (const s of trace.spans)
    for (const r of s.references)
      if (!ids.has(r.spanID)) problems.push(`${s.operationName}: parent ${r.spanID} missing`);
  return problems;
}

/** Polls `read` until `done` holds for what it returns, or `timeoutMs` passes; returns the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(250);
    value = await read();
  }
  return value;
}

/** Traces of `service` that started in [startMs, endMs]. */
export function tracesBetween(
  jaeger: JaegerServer,
  service: string,
  startMs: number,
  endMs: number,
  limit = 5000,
): Promise<JaegerTrace[]> {
  return jaeger.api<JaegerTrace[]>('traces', {
    service,
    start: String(startMs * 1000),
    end: String(endMs * 1000),
    limit: String(limit),
  });
}
