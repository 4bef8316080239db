// The OTLP/HTTP protobuf trace exporter: OpenTelemetry's own HTTP transport (timeout, headers,
// OTEL_EXPORTER_OTLP_* variables, keep-alive, compression) with our encoder in place of its
// serializer, and its retry policy in ExportRetries; shutdown() ends the retries and cuts the
// requests still on the wire, so a collector that is down or hangs holds nothing. The one module that
// reaches into @opentelemetry/otlp-exporter-base and otlp-transformer, whose versions are pinned:
// OTLPTraceExporter is built from the same pieces.
import type { Agent } from 'node:http';
import {
  createOtlpNetworkExportDelegate,
  OTLPExporterBase,
  type IExporterTransport,
  type IOtlpExportDelegate,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  createOtlpHttpExporterMetrics,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ExportRetries } from './export-retry.js';
import { TraceEncoder } from './otlp-encode.js';

// what OTLPTraceExporter reports itself as in the SDK's own metrics
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/**
 * The HTTP transport inside OpenTelemetry's HTTP export delegate, under its retrying transport
 * (not exported on its own; the pinned 0.2xx line keeps both as `_transport`). Undefined when that
 * shape is not there.
 */
function httpTransportOf(delegate: IOtlpExportDelegate<unknown>): IExporterTransport | undefined {
  const retrying = (delegate as { _transport?: { _transport?: unknown } })._transport;
  const http = retrying?._transport as Partial<IExporterTransport> | undefined;
  return typeof http?.send === 'function' && typeof http.shutdown === 'function'
    ? (http as IExporterTransport)
    : undefined;
}

/**
 * An exporter whose shutdown() first lets go of the collector: the retries its delegate waits on
 * end, and the requests still on the wire are cut (their agent's sockets destroyed), so nothing of
 * the exporter keeps the process alive once its span processor stopped waiting.
 */
class StoppingExporter extends OTLPExporterBase<ReadableSpan[]> {
  constructor(
    delegate: IOtlpExportDelegate<ReadableSpan[]>,
    private readonly letGo: () => void,
  ) {
    super(delegate);
  }

  override shutdown(): Promise<void> {
    this.letGo();
    return super.shutdown();
  }
}

/**
 * An OTLP/HTTP protobuf span exporter, configured like `OTLPTraceExporter` (same options, same
 * variables), whose request bodies are encoded by {@link TraceEncoder}; with the URL it sends to
 * once the OTEL_EXPORTER_OTLP_* variables are applied.
 *
 * @example
 * const { exporter, url } = otlpTraceExport({ url: 'http://jaeger:4318/v1/traces', timeoutMillis: 10_000 });
 */
export function otlpTraceExport(config: OTLPExporterNodeConfigBase = {}): {
  readonly exporter: SpanExporter;
  readonly url: string;
} {
  const encoder = new TraceEncoder();
  const serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
    serializeRequest: (spans) => encoder.encode(spans),
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const converted = convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', {
    'Content-Type': 'application/x-protobuf',
  });
  // The agents OpenTelemetry makes for this exporter, destroyed at shutdown; an agent from a
  // caller's own factory may serve others and is left alone.
  const agents = new Set<Agent>();
  const options =
    typeof config.httpAgentOptions === 'function'
      ? converted
      : {
          ...converted,
          agentFactory: async (protocol: string) => {
            const agent = await converted.agentFactory(protocol);
            agents.add(agent);
            return agent;
          },
        };
  const official = createOtlpHttpExportDelegate(
    options,
    serializer,
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    undefined,
  );
  const http = httpTransportOf(official);
  // another shape of the package: its own delegate, whose retries outlive shutdown()
  if (http === undefined) return { exporter: new OTLPExporterBase(official), url: options.url };
  const retries = new ExportRetries(http);
  const metrics = createOtlpHttpExporterMetrics(
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    options.url,
    undefined,
  );
  const delegate = createOtlpNetworkExportDelegate(options, serializer, metrics, retries);
  const letGo = (): void => {
    retries.stop();
    for (const agent of agents) agent.destroy();
  };
  return { exporter: new StoppingExporter(delegate, letGo), url: options.url };
}
