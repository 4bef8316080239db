// The HTTP server span's request attributes: exactly the attributes the official instrumentation
// sets. The common request (a known method, a plain Host header, a path with no query, no dot
// segment and nothing the URL parser would rewrite, no forwarding headers) has them written here
// directly; every other request gets them from @opentelemetry/instrumentation-http's own function,
// which parses the URL (`new URL`, about half of that function's cost) and the forwarding headers.
// http-semconv.test.ts holds the two to the same output on a corpus and on generated requests.
// Not exported by the package's entry: this module is the one place that reaches for the official
// function and checks its shape once at load.
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { diag, type Attributes } from '@opentelemetry/api';

const require = createRequire(import.meta.url);

type RequestAttributes = (
  request: IncomingMessage,
  options: {
    component: 'http' | 'https';
    enableSyntheticSourceDetection: boolean;
    redactedQueryParams?: string[];
  },
  logger: typeof diag,
) => Attributes;

// the default of the official instrumentation (its `redactedQueryParamsServer`)
const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];

function load(): RequestAttributes {
  const utils = require('@opentelemetry/instrumentation-http/build/src/utils.js') as {
    getIncomingRequestAttributes?: unknown;
  };
  const fn = utils.getIncomingRequestAttributes;
  if (typeof fn !== 'function') {
    throw new TypeError(
      '@opentelemetry/instrumentation-http has no getIncomingRequestAttributes: a version this package does not support',
    );
  }
  return fn as RequestAttributes;
}

const requestAttributes = load();

// The methods the official instrumentation keeps as they are (others become `_OTHER`): its own
// list, which the parity test holds us to. (The metric contract's HTTP_METHODS is the same list
// today, but it is public API of the metrics root entry, which `metrics/shared` keeps apart.)
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

// A host the URL parser takes as it is: letters, digits, dots and dashes, an optional port.
const PLAIN_HOST = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;
// A host whose last label starts with a digit is parsed as IPv4: only a dotted quad is sure to pass.
const DOTTED_QUAD =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
// A request path every Node version's URL parser returns unchanged: RFC 3986 path characters
// only (no query, fragment, backslash, space, quote, angle bracket, brace, backtick, control or
// non-ASCII character, and none of `^ | [ ]`, which parsers treat differently: Node 24's
// percent-encodes `^`, Node 20's does not).
const PLAIN_PATH = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

interface PlainHost {
  readonly name: string;
  readonly port: string | undefined;
}

// A service sees few Host headers: the answer for up to this many is kept (the table starts over
// when full, so a client that sends a new Host each time costs a check, not memory), for headers
// no longer than a DNS name and a port.
const HOSTS_KEPT = 256;
const HOST_LENGTH_KEPT = 260;
const hosts = new Map<string, PlainHost | null>();

/** `plainHost(host)`, remembered. */
function knownHost(host: string): PlainHost | undefined {
  if (host.length > HOST_LENGTH_KEPT) return plainHost(host);
  let known = hosts.get(host);
  if (known === undefined) {
    known = plainHost(host) ?? null;
    if (hosts.size >= HOSTS_KEPT) hosts.clear();
    hosts.set(host, known);
  }
  return known ?? undefined;
}

/** Hostname and port of a Host header `new URL` accepts and leaves as written, or undefined. */
function plainHost(host: string): PlainHost | undefined {
  const match = PLAIN_HOST.exec(host);
  if (match === null) return undefined;
  const [, name = '', port] = match;
  if (port !== undefined && Number(port) > 65_535) return undefined;
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (last === '' || /xn--/i.test(name)) return undefined;
  const code = last.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39 && !DOTTED_QUAD.test(name)) return undefined;
  return { name, port };
}

/** Whether the URL parser would rewrite `path` (dot segments, also percent-encoded). */
function hasDotSegment(path: string): boolean {
  return path.includes('/.') || /%2e/i.test(path);
}

/** The official attributes of the common request, without parsing a URL; undefined otherwise. */
export function plainRequestAttributes(
  request: IncomingMessage,
  component: string,
): Attributes | undefined {
  const { headers, method, url } = request;
  if (method === undefined || !KNOWN_METHODS.has(method)) return undefined;
  if (typeof url !== 'string' || !PLAIN_PATH.test(url) || hasDotSegment(url)) return undefined;
  if (
    headers.forwarded !== undefined ||
    headers['x-forwarded-host'] !== undefined ||
    headers['x-forwarded-for'] !== undefined
  ) {
    return undefined;
  }
  const host = headers.host;
  const server = typeof host === 'string' ? knownHost(host) : undefined;
  if (server === undefined) return undefined;
  const remote = request.socket.remoteAddress;
  // the official function's keys, in its order
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': component,
    'server.address': server.name,
    'network.peer.address': remote,
    'network.peer.port': request.socket.remotePort,
    'network.protocol.version': request.httpVersion,
    'user_agent.original': headers['user-agent'],
    'url.path': url,
  };
  if (remote) attributes['client.address'] = remote;
  attributes['server.port'] = Number(server.port ?? (component === 'https' ? '443' : '80'));
  return attributes;
}

/**
 * The attributes the official HTTP instrumentation gives an incoming request's span (method,
 * `url.path`, redacted `url.query`, `server.*`, `client.address`, `network.*`, user agent).
 *
 * @example
 * span.setAttributes(serverRequestAttributes(req, false));
 */
export function serverRequestAttributes(request: IncomingMessage, encrypted: boolean): Attributes {
  const component = encrypted ? 'https' : 'http';
  return (
    plainRequestAttributes(request, component) ?? officialRequestAttributes(request, component)
  );
}

/** The official instrumentation's own function, for every request (tests compare the two). */
export function officialRequestAttributes(
  request: IncomingMessage,
  component: 'http' | 'https',
): Attributes {
  return requestAttributes(
    request,
    {
      component,
      enableSyntheticSourceDetection: false,
      redactedQueryParams: REDACTED_QUERY_PARAMS,
    },
    diag,
  );
}
