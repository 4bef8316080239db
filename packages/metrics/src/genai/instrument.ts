// instrumentOpenAI / instrumentAnthropic: wrap the methods of one client instance, never a
// prototype, so other clients and other libraries' copies of the SDK stay untouched. The SDKs are
// never imported: clients are read structurally.
import { wellFormed } from '../labels.js';
import { invalid, optionalName } from '../validate.js';
import type { Protocol } from './protocol.js';
import type { GenAiRecorder } from './types.js';
import { wrapCreate, type WrapContext } from './wrap.js';

/** Options of instrumentOpenAI and instrumentAnthropic. */
export interface InstrumentOptions {
  /** What createMetrics returned: the calls are recorded there. */
  readonly metrics: { readonly genai: GenAiRecorder };
  /** `gen_ai.provider.name` (default `openai` / `anthropic`); set it for vLLM, Ollama, Azure, … */
  readonly provider?: string;
  /** `engine_type` of the engine_* metrics (default: the provider). */
  readonly engineType?: string;
  /** Capture prompts and completions on spans (default: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  readonly captureContent?: boolean;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** A resource of a client (`client.chat.completions`) and the protocol of its `create`. */
export interface Target {
  readonly path: readonly string[];
  readonly protocol: Protocol;
}

const instrumented = new WeakSet<object>();

function resource(client: object, path: readonly string[]): { create: Method } | undefined {
  let node: unknown = client;
  for (const key of path)
    node =
      typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined;
  const r = node as { create?: unknown } | undefined;
  return typeof r === 'object' && r !== null && typeof r.create === 'function'
    ? (r as { create: Method })
    : undefined;
}

function server(baseURL: unknown): { address?: string; port?: number } {
  if (typeof baseURL !== 'string') return {};
  try {
    const url = new URL(baseURL);
    const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    return { address: url.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return {};
  }
}

/** Wraps every `targets` resource `client` has; the first target must exist. */
export function instrumentClient<C extends object>(
  where: string,
  client: C,
  options: InstrumentOptions,
  defaults: {
    readonly provider: string;
    readonly targets: readonly Target[];
    readonly spans: (client: C) => boolean;
  },
  report: (error: unknown) => void,
): C {
  const first = defaults.targets[0];
  if (typeof client !== 'object' || client === null || !first || !resource(client, first.path)) {
    throw invalid(
      where,
      'client',
      client,
      `a client instance with ${first?.path.join('.')}.create()`,
    );
  }
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.metrics?.genai?.startCall !== 'function'
  ) {
    throw invalid(where, 'options.metrics', options?.metrics, 'the object createMetrics() returns');
  }
  const provider = optionalName(where, 'provider', options.provider) ?? defaults.provider;
  const engineType = optionalName(where, 'engineType', options.engineType);
  if (options.captureContent !== undefined && typeof options.captureContent !== 'boolean') {
    throw invalid(where, 'captureContent', options.captureContent, 'a boolean');
  }
  const recorder = options.metrics.genai;
  const { address, port } = server((client as { baseURL?: unknown }).baseURL);
  const ctx: WrapContext = {
    recorder,
    provider: wellFormed(provider),
    engineType: engineType === undefined ? undefined : wellFormed(engineType),
    serverAddress: address,
    serverPort: port,
    captureContent: options.captureContent ?? recorder.captureContent,
    spans: defaults.spans(client),
    report,
  };
  for (const target of defaults.targets) {
    const r = resource(client, target.path);
    if (!r || instrumented.has(r)) continue;
    instrumented.add(r);
    wrapCreate(r, target.protocol, ctx);
  }
  return client;
}
