export { locateBinary, requireBinary, which, type LocatedBinary } from './binaries.js';
export {
  builtBinary,
  serverOf,
  serversDir,
  SERVERS,
  TOOLS,
  type PinnedServer,
  type RepoTool,
  type ServerName,
} from './servers.js';
export { assertOwnListener, freePort, freePorts, isPortClash, retryOnPortClash } from './ports.js';
export { tempDir } from './tmp.js';
export {
  startProcess,
  waitForHttp,
  type RunningProcess,
  type WaitForHttpOptions,
} from './process.js';
export { launchServer, type LaunchOptions, type Launched } from './launch.js';
export { promApi, type PromApi } from './prom-api.js';
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
export {
  startAlertmanagerCluster,
  type AlertmanagerCluster,
  type AlertmanagerClusterOptions,
} from './alertmanager-cluster.js';
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
export { parseOpenMetrics, requireOpenMetricsParser, type ParsedSample } from './openmetrics.js';
export {
  clusterExampleSuite,
  exampleCode,
  runClusterExample,
  type ClusterExampleRun,
  type ClusterExampleSuite,
} from './cluster-example.js';
