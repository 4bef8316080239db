// The OTLP/HTTP protobuf trace exporter: OpenTelemetry's own HTTP transport (retries, timeout,
// headers, OTEL_EXPORTER_OTLP_* variables, keep-alive) with our encoder in place of its serializer.
// The one module that reaches into @opentelemetry/otlp-exporter-base and otlp-transformer, whose
// versions are pinned: OTLPTraceExporter is built from the same pieces.
import {
  OTLPExporterBase,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { TraceEncoder } from './otlp-encode.js';

// what OTLPTraceExporter reports itself as in the SDK's own metrics
const COMPONENT_TYPE = 'otlp_http_span_exporter';

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
  const options = convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', {
    'Content-Type': 'application/x-protobuf',
  });
  const delegate = createOtlpHttpExportDelegate(
    options,
    serializer,
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    undefined,
  );
  return { exporter: new OTLPExporterBase<ReadableSpan[]>(delegate), url: options.url };
}
