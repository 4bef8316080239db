// `@ai-orchestrator/metrics/adapter`: what the toolkit's own packages (the framework adapters,
// business-metrics, tracing) build on. Not the user's API: the toolkit's packages move in
// lockstep with it. Everything of `./shared` is here too, so a sibling imports from one place.
export { resolveAdapterOptions } from './adapter-options.js';
export { urlPath } from './mounted-paths.js';
export { metricsHandlerFor } from './handler.js';
export { instrumentRequest, requestBytes, timedBy } from './node.js';
export { negotiate, render, renderStream } from './exposition.js';
export { ensureCounter, ensureGauge, ensureHistogram } from './registry.js';
export { activeTraceIds, exemplarLabels, type TraceIds } from './exemplars.js';
export { LabelLimiter, normalizeMethod } from './labels.js';
export type { ResolvedAdapterOptions } from './types.js';
export * from './shared.js';
