export { requireBinary, which } from './binaries.js';
export { freePort } from './ports.js';
export { tempDir } from './tmp.js';
export { startProcess, waitForHttp, type RunningProcess } from './process.js';
export { startRedis, type RedisServer } from './redis.js';
export { startPrometheus, type PrometheusServer } from './prometheus.js';
export { startAlertmanager, type AlertmanagerServer } from './alertmanager.js';
export { promtoolCheckMetrics } from './promtool.js';
export { parseOpenMetrics, requireOpenMetricsParser, type ParsedSample } from './openmetrics.js';
