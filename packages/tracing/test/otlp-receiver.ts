// A loopback OTLP/HTTP trace receiver that decodes the real protobuf with the official proto
// definitions (compiled by protobufjs, shipped in @opentelemetry/otlp-transformer 0.216). Tests use
// it where a Jaeger or collector would stand.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** The pieces of an OTLP AnyValue we read, as protobufjs decodes them. */
interface AnyValueMessage {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: number | { toString(): string } | null;
  doubleValue?: number | null;
  bytesValue?: Uint8Array | null;
  arrayValue?: { values?: AnyValueMessage[] | null } | null;
  kvlistValue?: { values?: KeyValueMessage[] | null } | null;
}
interface KeyValueMessage {
  key: string;
  value?: AnyValueMessage | null;
}
interface SpanMessage {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId?: Uint8Array | null;
  name: string;
  kind?: number | null;
  attributes?: KeyValueMessage[] | null;
  events?: { name: string; attributes?: KeyValueMessage[] | null }[] | null;
  links?:
    { traceId: Uint8Array; spanId: Uint8Array; attributes?: KeyValueMessage[] | null }[] | null;
  status?: { code?: number | null; message?: string | null } | null;
}
interface RequestMessage {
  resourceSpans?:
    | {
        resource?: { attributes?: KeyValueMessage[] | null } | null;
        scopeSpans?:
          { scope?: { name?: string | null } | null; spans?: SpanMessage[] | null }[] | null;
      }[]
    | null;
}
interface Codec {
  decode(bytes: Uint8Array): RequestMessage;
  encode(message: object): { finish(): Uint8Array };
}
interface ProtoRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: Codec; ExportTraceServiceResponse: Codec } };
      };
    };
  };
}

const root = createRequire(import.meta.url)('otlp-proto/build/src/generated/root.js') as ProtoRoot;
const { ExportTraceServiceRequest, ExportTraceServiceResponse } =
  root.opentelemetry.proto.collector.trace.v1;

export type AttributeValue =
  string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;

/** One span as it arrived on the wire. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly {
    name: string;
    attributes: Readonly<Record<string, AttributeValue>>;
  }[];
  readonly links: readonly {
    traceId: string;
    spanId: string;
    attributes: Readonly<Record<string, AttributeValue>>;
  }[];
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { code: number; message: string };
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scope: string;
}

/** How a receiver answers export requests: decode and accept, fail with a status, or never answer. */
export type ReceiverMode = 'accept' | 'hang' | { readonly status: number };

export interface OtlpReceiver {
  /** Where to export: `http://127.0.0.1:<port>/v1/traces`. */
  readonly url: string;
  readonly port: number;
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  /** Export requests decoded so far. */
  requests(): number;
  /** The decoded (gunzipped) protobuf bodies of those requests, to search for bytes on the wire. */
  bodies(): Buffer[];
  /** From now on, answer export requests this way (default 'accept'). */
  setMode(mode: ReceiverMode): void;
  /** Resolves with the spans once `predicate` holds for them; rejects after `timeoutMs`. */
  waitFor(
    predicate: (spans: ReceivedSpan[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes).toString('hex') : '';
}

function value(v: AnyValueMessage | null | undefined): AttributeValue {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) return Number(v.intValue.toString());
  if (v.doubleValue != null) return v.doubleValue;
  if (v.bytesValue != null) return Buffer.from(v.bytesValue).toString('base64');
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue != null) return attributes(v.kvlistValue.values);
  return null;
}

function attributes(list: KeyValueMessage[] | null | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) out[kv.key] = value(kv.value);
  return out;
}

/** Decodes one `ExportTraceServiceRequest` body into flat spans. */
export function decodeTraces(body: Uint8Array): ReceivedSpan[] {
  const request = ExportTraceServiceRequest.decode(body);
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        spans.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name,
          kind: span.kind ?? 0,
          attributes: attributes(span.attributes),
          events: (span.events ?? []).map((e) => ({
            name: e.name,
            attributes: attributes(e.attributes),
          })),
          links: (span.links ?? []).map((l) => ({
            traceId: hex(l.traceId),
            spanId: hex(l.spanId),
            attributes: attributes(l.attributes),
          })),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
          resource,
          scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return spans;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

/**
 * Starts a receiver on 127.0.0.1 (`port` 0 picks a free one; pass a port to come back on it).
 *
 * @example
 * const receiver = await startOtlpReceiver();
 * // export to receiver.url, then:
 * const spans = await receiver.waitFor((s) => s.some((span) => span.name === 'GET /users/:id'));
 */
export async function startOtlpReceiver(options: { port?: number } = {}): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const bodies: Buffer[] = [];
  let requestCount = 0;
  let mode: ReceiverMode = 'accept';
  const waiters = new Set<() => void>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/x-protobuf')) {
      res.writeHead(415).end();
      return;
    }
    if (mode === 'hang') return; // keeps the request open until close()
    if (mode !== 'accept') {
      await readBody(req);
      res.writeHead(mode.status, { 'Content-Type': 'text/plain' }).end(`fault ${mode.status}`);
      return;
    }
    try {
      const body = await readBody(req);
      received.push(...decodeTraces(body));
      bodies.push(body);
      requestCount += 1;
    } catch (error) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(String(error));
      return;
    }
    const reply = ExportTraceServiceResponse.encode({}).finish();
    res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end(Buffer.from(reply));
    for (const wake of waiters) wake();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    port,
    spans: () => [...received],
    requests: () => requestCount,
    bodies: () => [...bodies],
    setMode(next) {
      mode = next;
    },
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (!predicate(received)) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve([...received]);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(
              `OTLP receiver: condition not met after ${timeoutMs} ms; got ${received.length} spans: ` +
                received.map((s) => s.name).join(', '),
            ),
          );
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
