export {
  startServices,
  choosePorts,
  type Services,
  type ServicePorts,
  type RunningService,
} from './services.js';
export {
  startLocalStack,
  localPrometheusConfig,
  RULE_FILES,
  type LocalStack,
  type ReceivedAlert,
} from './stack.js';
export { startLoadgen } from './loadgen.js';
export { snapshot, summarize, formatSummary, firingAlerts, type Summary } from './summary.js';
export { parseExposition } from './exposition.js';
export { ROOT } from './paths.js';
