// The HTTP server span, from Node's own `http.server.request.start` diagnostics channel: nothing is
// patched. The sampling decision comes first; only a sampled request pays for its attributes, its
// span and its listeners. A request that joins a trace carries the trace's context (sampled or
// not); one that starts a trace we do not sample carries a mark (see unsampled.ts). Either way
// the services it calls follow the decision.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { errorMonitor } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, suppressTracing, type RPCMetadata } from '@opentelemetry/core';
import type { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { serverRequestAttributes } from './http-semconv.js';
import { markUnsampled, UNSAMPLED_REQUEST } from './unsampled.js';

const START = 'http.server.request.start';

// https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server
const ATTR_METHOD = 'http.request.method';
const ATTR_PATH = 'url.path';
const ATTR_ROUTE = 'http.route';
const ATTR_STATUS = 'http.response.status_code';
const ATTR_ERROR_TYPE = 'error.type';

interface RequestStart {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly socket: { readonly encrypted?: boolean };
}

export interface HttpServerSettings {
  /** The context manager the SDK runs on: requests enter their context through `attach`. */
  readonly contextManager: AsyncLocalStorageContextManager;
  /** Request URLs that get no span (and suppress tracing under them). */
  readonly ignored: (url: string | undefined) => boolean;
  /** The sampler's word that a new trace would not be sampled now (see BuiltSampler). */
  readonly closedToNewTraces?: (spanName: string, path: string) => boolean;
}

// Span names (`GET /users/:id`) kept per method and route, up to this many routes a method: the
// same string every time, so what later reads the name (redaction's memo, the encoder) finds it
// without hashing a new one.
const NAMES_PER_METHOD = 1024;

/** `${method} ${route}`, the same string for the same pair while the table has room. */
export class SpanNameTable {
  private readonly byMethod = new Map<string, Map<string, string>>();

  of(method: string, route: string): string {
    let routes = this.byMethod.get(method);
    if (routes === undefined) {
      routes = new Map();
      this.byMethod.set(method, routes);
    }
    const known = routes.get(route);
    if (known !== undefined) return known;
    const name = `${method} ${route}`;
    if (routes.size >= NAMES_PER_METHOD) routes.clear();
    routes.set(route, name);
    return name;
  }
}

/**
 * What the sampling rules read. Assigned, not an object literal with computed keys: V8's feedback
 * for such a literal turns megamorphic for good once a full collection with no such object alive
 * has taken its hidden classes (V8's memory reducer does that to an idle process), and each
 * literal then costs 250 ns instead of 15 (see packages/metrics/src/tick-shape.ts).
 */
function spanAttributes(method: string, path: string): Attributes {
  const attributes: Attributes = {};
  attributes[ATTR_METHOD] = method;
  attributes[ATTR_PATH] = path;
  return attributes;
}

/** Ends a sampled server span the way the official instrumentation does. */
function finish(
  span: Span,
  method: string,
  response: ServerResponse,
  metadata: RPCMetadata,
  names: SpanNameTable,
): void {
  const status = response.statusCode;
  // (assigned, not a literal with computed keys: see spanAttributes)
  const attributes: Attributes = {};
  attributes[ATTR_STATUS] = status;
  const route = metadata.route;
  if (route !== undefined) attributes[ATTR_ROUTE] = route;
  span.setAttributes(attributes);
  // a 4xx is the client's failure, not the server's
  if (!(status >= 100 && status < 500)) span.setStatus({ code: SpanStatusCode.ERROR });
  if (route) span.updateName(names.of(method, route));
  span.end();
}

function failed(span: Span, error: Error): void {
  span.setAttribute(ATTR_ERROR_TYPE, error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.recordException(error);
  span.end();
}

/** The path part of a request target, for the sampling rules (no URL parsing before a decision). */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Server spans for incoming HTTP requests, decided before anything is computed for them. */
export class HttpServerInstrumentation extends InstrumentationBase {
  // `enable()` runs inside the base constructor, before subclass fields are set
  private settings: HttpServerSettings | undefined;
  private fields: readonly string[] | undefined;
  private readonly names = new SpanNameTable();
  private readonly onStart = (message: unknown): void => {
    try {
      this.start(message as RequestStart);
    } catch (error) {
      this._diag.error('incoming request not traced', error);
    }
  };

  constructor(settings: HttpServerSettings) {
    super('@ai-orchestrator/tracing/http-server', '1.0.0', { enabled: false });
    this.settings = settings;
  }

  protected init(): [] {
    return [];
  }

  override enable(): void {
    if (this.settings === undefined) return;
    subscribe(START, this.onStart);
    super.enable();
  }

  override disable(): void {
    unsubscribe(START, this.onStart);
    super.disable();
  }

  private enter(ctx: Context): void {
    (this.settings as HttpServerSettings).contextManager.attach(ctx);
  }

  /** The caller's context, when the request carries one of the propagator's headers. */
  private parent(request: IncomingMessage): Context {
    const headers = request.headers;
    // asked at the first request: the SDK sets the propagator after enabling instrumentations
    this.fields ??= propagation.fields();
    for (const field of this.fields) {
      if (headers[field] !== undefined) return propagation.extract(ROOT_CONTEXT, headers);
    }
    return ROOT_CONTEXT;
  }

  private start({ request, response, socket }: RequestStart): void {
    const settings = this.settings as HttpServerSettings;
    if (settings.ignored(request.url)) {
      this.enter(suppressTracing(ROOT_CONTEXT));
      return;
    }
    const parent = this.parent(request);
    const method = request.method ?? 'GET';
    const path = pathOf(request.url);
    // a new trace the sampler would drop: the mark only, without a span made to be dropped
    if (parent === ROOT_CONTEXT && settings.closedToNewTraces?.(method, path) === true) {
      this.enter(UNSAMPLED_REQUEST);
      return;
    }
    // what the sampling rules read; everything else only once the span is sampled
    const span = this.tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: spanAttributes(method, path),
      },
      parent,
    );
    if (!span.isRecording()) {
      // a caller's trace travels on as it came; a new one we do not sample, as a mark only
      const joined = trace.getSpanContext(parent) !== undefined;
      this.enter(joined ? trace.setSpan(parent, span) : markUnsampled(parent));
      return;
    }
    span.setAttributes(serverRequestAttributes(request, socket.encrypted === true));
    const metadata: RPCMetadata = { type: RPCType.HTTP, span };
    this.enter(setRPCMetadata(trace.setSpan(parent, span), metadata));
    // `on`, not `once`: the response is dropped after its 'close', and `once` would add a wrapper
    // and a listener removal to every request; `ended` keeps the span to one end
    let ended = false;
    response.on('close', () => {
      if (ended) return;
      ended = true;
      finish(span, method, response, metadata, this.names);
    });
    response.on(errorMonitor, (error: Error) => {
      if (ended) return;
      ended = true;
      failed(span, error);
    });
  }
}
