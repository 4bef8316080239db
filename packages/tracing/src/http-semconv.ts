// The HTTP server span's request attributes, computed by @opentelemetry/instrumentation-http's own
// function, so our server spans carry exactly the attributes the official instrumentation sets.
// Not exported by the package's entry: this module is the one place that reaches for it and checks
// its shape once at load; http-server.test.ts checks the attributes it gives a real request.
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

/**
 * The attributes the official HTTP instrumentation gives an incoming request's span (method,
 * `url.path`, redacted `url.query`, `server.*`, `client.address`, `network.*`, user agent).
 *
 * @example
 * span.setAttributes(serverRequestAttributes(req, false));
 */
export function serverRequestAttributes(request: IncomingMessage, encrypted: boolean): Attributes {
  return requestAttributes(
    request,
    {
      component: encrypted ? 'https' : 'http',
      enableSyntheticSourceDetection: false,
      redactedQueryParams: REDACTED_QUERY_PARAMS,
    },
    diag,
  );
}
