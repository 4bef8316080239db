// The one place the lean profile writes the route: the HTTP instrumentation's per-request metadata,
// which it turns into `http.route` and the span name (`GET /users/:id`) when the response ends.
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType, type RPCMetadata } from '@opentelemetry/core';

/** The HTTP server request's metadata in the active context, if the request is instrumented. */
export function serverMetadata(): RPCMetadata | undefined {
  const metadata = getRPCMetadata(context.active());
  return metadata?.type === RPCType.HTTP ? metadata : undefined;
}

/** Sets the route template of the HTTP server request being handled. */
export function setServerRoute(route: string | undefined): void {
  if (route === undefined || route === '') return;
  const metadata = serverMetadata();
  if (metadata !== undefined) metadata.route = route;
}

/** A module's exports as CommonJS gives them: an ESM namespace's default export, else as is. */
export function moduleValue<T>(exports: unknown): T | undefined {
  const m = exports as { [Symbol.toStringTag]?: string; default?: T } | null | undefined;
  return (m?.[Symbol.toStringTag] === 'Module' ? m.default : m) as T | undefined;
}
