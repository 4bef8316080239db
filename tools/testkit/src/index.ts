export { requireBinary, which } from './binaries.js';
export { freePort } from './ports.js';
export { tempDir } from './tmp.js';
export { startProcess, waitForHttp, type RunningProcess } from './process.js';
export { startRedis, type RedisServer, type RedisStartOptions } from './redis.js';
export { redisCli, parseInfo, waitFor } from './redis-cli.js';
export {
  startRedisCluster,
  parseClusterNodes,
  type ClusterNodeInfo,
  type RedisCluster,
  type RedisClusterOptions,
} from './redis-cluster.js';
export {
  startRedisSentinel,
  type RedisSentinel,
  type RedisSentinelOptions,
} from './redis-sentinel.js';
export { createCertificates, type TestCertificates } from './certificates.js';
export { startPrometheus, type PrometheusServer } from './prometheus.js';
export { startAlertmanager, type AlertmanagerServer } from './alertmanager.js';
export { promtoolCheckMetrics } from './promtool.js';
export { parseOpenMetrics, requireOpenMetricsParser, type ParsedSample } from './openmetrics.js';
