// Public types of @ai-orchestrator/metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry, RegistryContentType } from 'prom-client';
import type { ExecutionStatus } from './contract.js';
import type { GenAiRecorder } from './genai/types.js';

/** A prom-client registry of either content type. */
export type AnyRegistry = Registry<RegistryContentType>;

/** Cardinality limits. */
export interface LabelLimits {
  /** Distinct values one label of one metric may take before `__overflow__` (default 100). */
  readonly maxLabelValues?: number;
  /** Per-metric override of `maxLabelValues`, by metric name. */
  readonly perMetric?: Readonly<Record<string, number>>;
  /** Longer label values are cut to this many characters (default 128). */
  readonly maxLabelValueLength?: number;
  /**
   * Label sets one metric may hold before new ones go to its `__overflow__` series (default 1000).
   * Metrics that share label sets (a counter and its
   * duration histogram, the three HTTP histograms) share the budget of the first of them.
   */
  readonly maxSeries?: number;
  /** Per-metric override of `maxSeries`, by metric name. */
  readonly perMetricSeries?: Readonly<Record<string, number>>;
}

export interface MetricsOptions {
  /** Value of the `service` label on every metric. */
  readonly serviceName: string;
  /** Registry to register into (default: prom-client's global `register`). */
  readonly registry?: AnyRegistry;
  /** Also collect prom-client's process and Node.js metrics (default true). */
  readonly collectDefaultMetrics?: boolean;
  readonly limits?: LabelLimits;
  /**
   * Also record `http_server_request_body_size_bytes` and `http_server_response_body_size_bytes`
   * (default false: the OpenTelemetry HTTP conventions make them opt-in, and counting streamed
   * bytes costs every request). The first createMetrics call of a service decides.
   */
  readonly httpBodySizes?: boolean;
}

/** What an adapter knows once a request is over. */
export interface HttpRequestOutcome {
  /** Route template (`/users/:id`); missing or empty means the request matched no route. */
  readonly route?: string | undefined;
  readonly statusCode: number;
  readonly requestBytes?: number | undefined;
  readonly responseBytes?: number | undefined;
  /** Ids for the exemplar, when the adapter knows the request's span better than the context. */
  readonly traceIds?: { readonly trace_id: string; readonly span_id: string } | undefined;
}

/** One request in flight. Only the first end() or abort() counts; neither ever throws. */
export interface HttpRequestTimer {
  readonly done: boolean;
  end(outcome: HttpRequestOutcome): void;
  /** The client went away before the response finished: counted with status 499. */
  abort(outcome?: Partial<HttpRequestOutcome>): void;
}

export interface HttpRecorder {
  /** Whether `requestBytes`/`responseBytes` are recorded (createMetrics' `httpBodySizes`). */
  readonly bodySizes: boolean;
  /** Starts timing a request; `http_server_active_requests` goes up until end() or abort(). */
  start(method: string): HttpRequestTimer;
}

export interface WorkflowExecution {
  readonly workflowId?: string;
  readonly workflowName: string;
  readonly engineType: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number;
  /** Accepted for the compatibility API and checked, but never a label, exemplar or span attribute here (personal data). */
  readonly userId?: string;
}

export interface EngineCall {
  readonly engineType: string;
  readonly operation: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number;
  readonly tokens?: TokenUsage;
}

export interface TokenUsage {
  readonly input?: number;
  readonly output?: number;
}

export type MetricsFormat = 'text' | 'openmetrics';

export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

/** An exposition as a body in chunks of UTF-8, each rendered when asked for (what /metrics writes). */
export interface ExpositionStream {
  readonly contentType: string;
  readonly chunks: AsyncIterable<Buffer>;
  /**
   * Hands a chunk back once nothing reads it any more (the socket took it: a write's callback ran
   * without an error): its memory may then hold a later chunk of the same body, which spares the
   * page faults of fresh memory. Optional to call; never call it for a chunk still in use.
   */
  readonly release?: (chunk: Buffer) => void;
}

export type MetricsAuth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string };

export interface MetricsHandlerOptions {
  readonly registry?: AnyRegistry;
  readonly auth?: MetricsAuth;
  /** A scrape whose collectors take longer is answered 503 (default 10000, Prometheus' default scrape timeout). */
  readonly timeoutMs?: number;
}

/** A Node `(req, res)` handler (`createNodeMetricsHandler`); `http.createServer` and `ctx.req`/`ctx.res` or `request.raw`/`reply.raw` take it. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface MetricsServerOptions {
  /** Default 9464, the port the Kubernetes Service names `metrics`. */
  readonly port?: number;
  /**
   * Default `0.0.0.0` (all interfaces, so Prometheus on another host can scrape). Left to the
   * default without `auth`, the server warns once that anyone who can reach the port reads the
   * metrics; passing `host` (also `'0.0.0.0'`) is the explicit choice and silences it.
   */
  readonly host?: string;
  /** Default `/metrics`. */
  readonly path?: string;
  readonly auth?: MetricsAuth;
  readonly registry?: AnyRegistry;
  /** See {@link MetricsHandlerOptions.timeoutMs}. */
  readonly timeoutMs?: number;
}

export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Everything `createMetrics` returns. */
export interface Metrics {
  readonly serviceName: string;
  readonly registry: AnyRegistry;
  readonly http: HttpRecorder;
  /** GenAI calls, tools, agents and spend in the OpenTelemetry GenAI conventions (made on first use). */
  readonly genai: GenAiRecorder;
  /**
   * Counts a finished workflow execution and observes its duration.
   * @example
   * metrics.recordWorkflowExecution({ workflowName: 'summarize', engineType: 'openai', status: 'success', durationMs: 1200 });
   */
  recordWorkflowExecution(execution: WorkflowExecution): void;
  recordWorkflowExecution(
    workflowId: string,
    workflowName: string,
    engineType: string,
    status: ExecutionStatus,
    durationMs: number,
    userId?: string,
  ): void;
  /**
   * Counts an AI engine call and observes its duration.
   * @example
   * metrics.recordEngineCall('openai', 'completion', 'success', 830);
   */
  recordEngineCall(call: EngineCall): void;
  recordEngineCall(
    engineType: string,
    operation: string,
    status: ExecutionStatus,
    durationMs: number,
  ): void;
  /** Adds tokens used by an engine. */
  recordTokens(engineType: string, tokens: TokenUsage): void;
  /** Sets the number of workflows waiting in `queue`. */
  setQueueSize(queue: string, size: number): void;
  /** Sets the number of running executions of an engine type. */
  setActiveExecutions(engineType: string, count: number): void;
  /** Marks one execution as running; call the returned function once when it ends. */
  startExecution(engineType: string): () => void;
  /** Renders the registry in the text format or OpenMetrics (with exemplars). */
  expose(format?: MetricsFormat): Promise<Exposition>;
}

/** Options every framework adapter takes (or just the service name as a string). */
export interface AdapterOptions {
  /** Value of the `service` label (default: `OTEL_SERVICE_NAME`, `SERVICE_NAME`, the package name). */
  readonly serviceName?: string;
  /** Registry to record into (default: prom-client's global `register`). */
  readonly registry?: AnyRegistry;
  /** Metrics from createMetrics() to record into, instead of serviceName/registry. */
  readonly metrics?: Metrics;
  readonly collectDefaultMetrics?: boolean;
  readonly limits?: LabelLimits;
  /** See {@link MetricsOptions.httpBodySizes} (default false). */
  readonly httpBodySizes?: boolean;
  /**
   * Paths not to record; the metrics path is always ignored. Like `metricsPath`, a path of the
   * context the adapter is mounted in (after an Express mount path, a Fastify prefix, koa-mount).
   */
  readonly ignorePaths?: readonly (string | RegExp)[];
  /**
   * Path the adapter serves metrics on inside the app (default `/metrics`), relative to where the
   * adapter is mounted (`app.use('/api', mw)` serves `/api/metrics`); `false` serves them only on
   * the separate server of `startMetricsServer()`.
   */
  readonly metricsPath?: string | false;
  /** Auth for the in-app metrics path. */
  readonly auth?: MetricsAuth;
}

/** What resolveAdapterOptions gives an adapter. */
export interface ResolvedAdapterOptions {
  readonly metrics: Metrics;
  readonly metricsPath: string | false;
  /** Serves the registry (content negotiation, auth, GET/HEAD only). */
  readonly handler: MetricsHandler;
  /**
   * What to do with a request, from its path (read once): `metrics` for the in-app metrics path,
   * `ignore` for `ignorePaths`, `record` for everything else.
   */
  classify(url: string | undefined): 'metrics' | 'ignore' | 'record';
  /**
   * `classify` for a middleware running under a mount path (`mount`, Express's `req.baseUrl`, not
   * empty): `url` is relative to the mount, `full` the request's whole URL. A `metricsPath` or
   * `ignorePaths` entry written as the full path (`/api/metrics` under `/api`), as adapters once
   * required, still matches, with a one-time warning naming the option.
   */
  classifyUnder(
    url: string | undefined,
    full: string | undefined,
    mount: string,
  ): 'metrics' | 'ignore' | 'record';
}
