// The adapter conformance suite and the helpers adapter tests share (`@ai-orchestrator/testkit/conformance`).
export { conformanceSuite } from './suite.js';
export { harness, SERVICE, type Harness, type HungRequest, type RunningApp } from './harness.js';
export {
  abortRequest,
  pipelined,
  send,
  sendAll,
  type AbortOptions,
  type Reply,
  type SendOptions,
} from './client.js';
export { closeServer, listen, trackResponses, urlOf, type ResponseTracker } from './server.js';
export {
  activeRequests,
  bodyBytes,
  HTTP,
  readSamples,
  requestCounts,
  samplesOf,
  valueOf,
  type Sample,
} from './samples.js';
export { enableContext, serveInSpans } from './spans.js';
export { errorOf } from './errors.js';
export { readBody, ROUTES, STALLED_CHUNK, STREAM_BYTES, STREAM_CHUNKS } from './routes.js';
export { OPENMETRICS, TEXT } from './cases/exposition.js';
export type {
  AdapterDriver,
  ConformanceApp,
  ConformanceAuth,
  ConformanceHooks,
  ConformanceOptions,
  CoreMetricsOptions,
} from './types.js';
