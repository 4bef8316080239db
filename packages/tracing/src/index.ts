export { TracingService, activeTracing } from './service.js';
export { Redactor } from './redact.js';
export { RedactingSpanProcessor } from './redact-span.js';
export { optionsFromEnv } from './env.js';
export type {
  DropReason,
  InstrumentationName,
  InstrumentationSwitches,
  JaegerRemoteOptions,
  RedactOptions,
  SamplerOptions,
  SamplingRule,
  SpanOptions,
  TracedFunction,
  TracingOptions,
  TracingProfile,
} from './types.js';
