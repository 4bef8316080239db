// `@ai-orchestrator/metrics/shared`: what every package of the toolkit shares, without loading
// prom-client (the tracing package reads it and must run without prom-client installed). Not the
// user's API: the toolkit's packages move in lockstep with it.
export { EXPRESS_MIDDLEWARE_NAME, expressPathTemplate } from './express-layer.js';
export {
  type ExpressMountLayer,
  type ExpressRouter,
  distrustMounts,
  enteredExpressRouter,
  followExpressMount,
  mountedBaseUrl,
} from './express-mounts.js';
export { UNKNOWN_SERVICE, defaultServiceName } from './service-name.js';
export { keepTickShape } from './tick-shape.js';
export { describeValue, invalid, optionalName, requireName } from './validate.js';
export { Warnings } from './warnings.js';
