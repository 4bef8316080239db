// Grafana provisioning and the Jaeger v2 configuration: neither can run here, so their files are
// checked for the wiring the stack relies on (exemplar -> Jaeger, dashboards path, OTLP ports,
// the sampling strategies the tracing package's remote sampler polls).
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROMETHEUS_UID } from '../src/common.js';
import { committed } from './panels.js';

const read = (path: string): string =>
  readFileSync(new URL(`../../infra/${path}`, import.meta.url), 'utf8');
const yaml = <T>(path: string): T => parse(read(path)) as T;

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: {
    exemplarTraceIdDestinations?: { name: string; datasourceUid: string }[];
    timeInterval?: string;
    implementation?: string;
  };
}

interface PrometheusConfig {
  global: { scrape_interval: string };
  scrape_configs?: { job_name: string; scrape_interval?: string }[];
}

/** A duration such as `15s` or `1m` in seconds. */
function seconds(duration: string): number {
  const m = /^(\d+)(s|m)$/.exec(duration);
  if (!m) throw new Error(`not a duration in s or m: ${duration}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

describe('Grafana provisioning', () => {
  const { apiVersion, datasources } = yaml<{ apiVersion: number; datasources: Datasource[] }>(
    'grafana/provisioning/datasources/datasources.yml',
  );
  const byUid = new Map(datasources.map((d) => [d.uid, d]));

  it('provisions Prometheus, Jaeger and Alertmanager with fixed uids', () => {
    expect(apiVersion).toBe(1);
    expect([...byUid.keys()].sort()).toEqual(['alertmanager', 'jaeger', PROMETHEUS_UID]);
    expect(byUid.get(PROMETHEUS_UID)?.type).toBe('prometheus');
    expect(byUid.get('jaeger')?.type).toBe('jaeger');
    expect(byUid.get('alertmanager')?.type).toBe('alertmanager');
    expect(byUid.get('alertmanager')?.jsonData?.implementation).toBe('prometheus');
    for (const d of datasources) expect(d.url).toMatch(/^http:\/\/[a-z-]+:\d+$/);
  });

  it('sets the Prometheus timeInterval to the longest scrape interval of every deployment', () => {
    // $__rate_interval is at least 4 x timeInterval: below a real scrape interval, rate windows
    // hold too few samples and panels flicker to "No data".
    const timeInterval = byUid.get(PROMETHEUS_UID)?.jsonData?.timeInterval ?? '';
    const configs = [
      'prometheus/shared.yml',
      'prometheus/prometheus.yml',
      'k8s/base/prometheus/prometheus.yml',
      'k8s/overlays/production/prometheus.yml',
    ].map((path) => [path, yaml<PrometheusConfig>(path)] as const);
    const intervals = configs.flatMap(([path, c]) => [
      [path, c.global.scrape_interval] as const,
      ...(c.scrape_configs ?? []).map(
        (j) => [`${path} ${j.job_name}`, j.scrape_interval ?? c.global.scrape_interval] as const,
      ),
    ]);
    const longest = Math.max(...intervals.map(([, i]) => seconds(i)));
    expect(seconds(timeInterval)).toBe(longest);
    expect(timeInterval).toBe(configs[0]?.[1].global.scrape_interval);
  });

  it("links an exemplar's trace_id to the Jaeger datasource", () => {
    const links = byUid.get(PROMETHEUS_UID)?.jsonData?.exemplarTraceIdDestinations ?? [];
    // trace_id is the exemplar label @ai-orchestrator/metrics writes (live.test.ts reads it back).
    expect(links).toContainEqual(
      expect.objectContaining({ name: 'trace_id', datasourceUid: 'jaeger' }),
    );
  });

  it('every dashboard defaults its datasource variable to the provisioned Prometheus', () => {
    for (const { dashboard } of committed()) {
      const ds = dashboard.templating.list.find((v) => v.name === 'datasource') as unknown as {
        query: string;
        current: { value: string };
      };
      expect(ds.query).toBe('prometheus');
      expect(ds.current.value).toBe(PROMETHEUS_UID);
    }
  });

  it('loads the generated dashboards from the directory the stack mounts them into', () => {
    const { providers } = yaml<{
      providers: { type: string; options: { path: string }; allowUiUpdates: boolean }[];
    }>('grafana/provisioning/dashboards/dashboards.yml');
    expect(providers).toHaveLength(1);
    const [provider] = providers;
    expect(provider?.type).toBe('file');
    expect(provider?.allowUiUpdates).toBe(false);
    const path = provider?.options.path ?? '';
    expect(path).toBe('/var/lib/grafana/dashboards');
    // The Kubernetes manifest (infra/k8s) mounts the dashboards there, when it is present.
    const k8s = new URL('../../infra/k8s/base/grafana/deployment.yaml', import.meta.url);
    if (existsSync(k8s)) expect(readFileSync(k8s, 'utf8')).toContain(`mountPath: ${path}`);
  });
});

interface JaegerConfig {
  service: {
    extensions: string[];
    pipelines: { traces: { receivers: string[]; processors: string[]; exporters: string[] } };
  };
  extensions: {
    jaeger_storage: { backends: Record<string, { memory?: { max_traces: number } }> };
    jaeger_query: { storage: { traces: string } };
    remote_sampling: {
      file?: { path: string; reload_interval?: string };
      adaptive?: { sampling_store: string; target_samples_per_second?: number };
      http: { endpoint: string };
    };
  } & Record<string, unknown>;
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  processors: Record<string, unknown>;
  exporters: { jaeger_storage_exporter: { trace_storage: string } };
}

describe.each(['config.yaml', 'config-adaptive.yaml'])('Jaeger v2 %s', (file) => {
  const config = yaml<JaegerConfig>(`jaeger/${file}`);
  const backends = config.extensions.jaeger_storage.backends;

  it('receives OTLP on 4317 (gRPC) and 4318 (HTTP)', () => {
    expect(config.receivers.otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    expect(config.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect(config.service.pipelines.traces.receivers).toEqual(['otlp']);
  });

  it('stores traces in memory and queries the same store', () => {
    const store = config.exporters.jaeger_storage_exporter.trace_storage;
    expect(backends[store]?.memory?.max_traces).toBeGreaterThan(0);
    expect(config.extensions.jaeger_query.storage.traces).toBe(store);
    expect(config.service.pipelines.traces.exporters).toEqual(['jaeger_storage_exporter']);
  });

  it('enables every extension and processor it configures, and configures every one it enables', () => {
    expect([...config.service.extensions].sort()).toEqual(Object.keys(config.extensions).sort());
    expect([...config.service.pipelines.traces.processors].sort()).toEqual(
      Object.keys(config.processors).sort(),
    );
  });

  it('serves remote sampling on 5778, from the strategies file or adaptively', () => {
    const sampling = config.extensions.remote_sampling;
    expect(sampling.http.endpoint).toMatch(/:5778$/);
    if (file === 'config.yaml') {
      expect(basename(sampling.file?.path ?? '')).toBe('sampling-strategies.json');
      expect(sampling.adaptive).toBeUndefined();
    } else {
      expect(backends[sampling.adaptive?.sampling_store ?? '']).toBeDefined();
      expect(config.service.pipelines.traces.processors).toContain('adaptive_sampling');
      expect(sampling.file).toBeUndefined();
    }
  });
});

interface Strategy {
  type: string;
  param: number;
  operation_strategies?: { operation: string; type: string; param: number }[];
}

describe('sampling-strategies.json', () => {
  const file = JSON.parse(read('jaeger/sampling-strategies.json')) as {
    default_strategy: Strategy;
    service_strategies: (Strategy & { service: string })[];
  };

  function checkStrategy(s: Strategy, where: string): void {
    expect(['probabilistic', 'ratelimiting'], where).toContain(s.type);
    if (s.type === 'probabilistic') {
      expect(s.param, where).toBeGreaterThanOrEqual(0);
      expect(s.param, where).toBeLessThanOrEqual(1);
    } else {
      expect(Number.isInteger(s.param) && s.param > 0, where).toBe(true);
    }
    const ops = s.operation_strategies ?? [];
    expect(new Set(ops.map((o) => o.operation)).size, where).toBe(ops.length);
    for (const o of ops) {
      // Jaeger's per-operation strategies are probabilistic only.
      expect(o.type, `${where} ${o.operation}`).toBe('probabilistic');
      expect(o.param).toBeGreaterThanOrEqual(0);
      expect(o.param).toBeLessThanOrEqual(1);
    }
  }

  // Which operation names can match is infra/jaeger/jaeger.test.ts's to check.
  it('has a probabilistic default', () => {
    checkStrategy(file.default_strategy, 'default_strategy');
    expect(file.default_strategy.type).toBe('probabilistic');
  });

  it('has one strategy per service, covering every demo service Prometheus scrapes', () => {
    const services = file.service_strategies.map((s) => s.service);
    expect(new Set(services).size).toBe(services.length);
    for (const s of file.service_strategies) checkStrategy(s, s.service);
    const scraped = [...read('prometheus/prometheus.yml').matchAll(/service: (demo-[a-z]+)/g)].map(
      (m) => m[1],
    );
    expect(scraped.length).toBeGreaterThan(0);
    for (const service of scraped) expect(services).toContain(service);
  });
});
