// A request that started a trace we did not sample carries no span: only this mark. Framework
// instrumentations then see no span and skip their work, and any span started under the mark
// (a client call, `traceFunction`) is not sampled, so the services it calls follow the decision.
import {
  createContextKey,
  ROOT_CONTEXT,
  SamplingDecision,
  type Attributes,
  type Context,
  type Link,
  type SpanKind,
} from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';

const UNSAMPLED = createContextKey('@ai-orchestrator/tracing unsampled request');

/** The context of a request whose new trace was not sampled. */
export const UNSAMPLED_REQUEST: Context = ROOT_CONTEXT.setValue(UNSAMPLED, true);

/** `ctx` (e.g. with a caller's baggage) marked as an unsampled request's. */
export function markUnsampled(ctx: Context): Context {
  return ctx === ROOT_CONTEXT ? UNSAMPLED_REQUEST : ctx.setValue(UNSAMPLED, true);
}

const NOT_SAMPLED: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

/**
 * The root sampler, except under an unsampled request's mark: a span there has that request as
 * its parent in all but name, and follows its decision.
 *
 * @example
 * new ParentBasedSampler({ root: new FollowUnsampledRequest(new AlwaysOnSampler()) });
 */
export class FollowUnsampledRequest implements Sampler {
  constructor(private readonly root: Sampler) {}

  shouldSample(
    ctx: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (ctx.getValue(UNSAMPLED) === true) return NOT_SAMPLED;
    return this.root.shouldSample(ctx, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return this.root.toString();
  }
}
