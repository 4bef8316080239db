import { ROOT_CONTEXT, TraceFlags, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { describe, expect, it } from 'vitest';
import { activeTraceIds, exemplarLabels } from './exemplars.js';

const IDS = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' };

describe('exemplarLabels', () => {
  it('adds extra labels while they fit the 128-character OpenMetrics budget', () => {
    expect(exemplarLabels(IDS, { workflow_id: 'wf-1' })).toEqual({ ...IDS, workflow_id: 'wf-1' });
    expect(exemplarLabels(IDS, { workflow_id: 'x'.repeat(80) })).toEqual(IDS);
    expect(exemplarLabels(undefined, { workflow_id: 'wf-1' })).toEqual({ workflow_id: 'wf-1' });
  });

  it('leaves out a value with "}", which parsers that end an exemplar there would reject', () => {
    // Found by the property test: `# {workflow_id="\"}x"}` failed the Python OpenMetrics parser.
    expect(exemplarLabels(IDS, { workflow_id: '"}__overflow__' })).toEqual(IDS);
    expect(exemplarLabels(undefined, { workflow_id: 'a}b' })).toBeUndefined();
  });
});

describe('activeTraceIds', () => {
  const inSpan = <T>(traceFlags: number, fn: () => T): T =>
    context.with(
      trace.setSpan(
        ROOT_CONTEXT,
        trace.wrapSpanContext({ traceId: IDS.trace_id, spanId: IDS.span_id, traceFlags }),
      ),
      fn,
    );

  it('reads the active sampled span once tracing is registered, also after calls without it', () => {
    // Before any context manager is registered no span can be active: the cheap path answers.
    expect(inSpan(TraceFlags.SAMPLED, activeTraceIds)).toBeUndefined();
    const manager = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(manager)).toBe(true);
    try {
      expect(activeTraceIds()).toBeUndefined();
      expect(inSpan(TraceFlags.SAMPLED, activeTraceIds)).toEqual(IDS);
      expect(inSpan(TraceFlags.NONE, activeTraceIds)).toBeUndefined();
    } finally {
      context.disable();
    }
    expect(inSpan(TraceFlags.SAMPLED, activeTraceIds)).toBeUndefined();
  });
});
