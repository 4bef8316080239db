// ESM imports bypass require hooks: import-in-the-middle's loader (through OpenTelemetry's
// hook.mjs) lets instrumentations patch `import express from 'express'` too. Node 20.6+.
import { register } from 'node:module';
import { warnOnce } from './warn.js';

const HOOKED = Symbol.for('@ai-orchestrator/tracing.esm-hook');

/** Registers the loader hook once per process; modules imported afterwards can be instrumented. */
export function registerEsmHook(): void {
  const slot = globalThis as { [HOOKED]?: true };
  if (slot[HOOKED]) return;
  slot[HOOKED] = true;
  try {
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  } catch (error) {
    warnOnce('AIO_TRACING_ESM_HOOK', `ESM instrumentation unavailable: ${String(error)}`);
  }
}
