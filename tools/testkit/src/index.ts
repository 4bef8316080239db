export { locateBinary, requireBinary, which, type LocatedBinary } from './binaries.js';
export {
  builtBinary,
  serverOf,
  serversDir,
  SERVERS,
  type PinnedServer,
  type ServerName,
} from './servers.js';
export { freePort, freePorts } from './ports.js';
export { tempDir } from './tmp.js';
export { startProcess, waitForHttp, type RunningProcess } from './process.js';
export { promApi, type PromApi } from './prom-api.js';
export { startRedis, type RedisServer } from './redis.js';
export { startPrometheus, type PrometheusServer } from './prometheus.js';
export { startAlertmanager, type AlertmanagerServer } from './alertmanager.js';
export { startJaeger, type JaegerOptions, type JaegerServer } from './jaeger.js';
export {
  localJaegerConfig,
  type LocalJaegerConfig,
  type LocalJaegerOptions,
} from './jaeger-config.js';
export {
  startVictoriaMetrics,
  type VictoriaMetricsOptions,
  type VictoriaMetricsServer,
} from './victoria-metrics.js';
export { promtoolCheckMetrics } from './promtool.js';
