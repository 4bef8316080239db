// `metrics.genai`: made on first use, so a service that records no GenAI calls registers none of
// their metrics. The revision and the content switch are read from the environment then.
import { wellFormed } from '../labels.js';
import { requireName } from '../validate.js';
import { GenAiCallHandle, type CallEnvironment } from './call.js';
import { DEFAULT_MAX_CONTENT_LENGTH } from './content.js';
import { genAiInstruments, type LimitSource } from './instruments.js';
import { runOperation, startAgent, startTool } from './operation.js';
import { resolveCall } from './options.js';
import { PriceBook } from './pricing.js';
import { GenAiWriter, type EngineWrite } from './record.js';
import { captureFromEnv, revisionFrom } from './semconv.js';
import type { GenAiRecorder } from './types.js';
import { runInWorkflow } from './workflow.js';

export interface GenAiSetup {
  readonly limits: LimitSource;
  readonly service: string;
  readonly engine: (write: EngineWrite) => void;
  readonly report: (error: unknown) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** The GenAI recorder of one service. */
export function createGenAiRecorder(setup: GenAiSetup): GenAiRecorder {
  const env = setup.env ?? process.env;
  const revision = revisionFrom(env.OTEL_SEMCONV_STABILITY_OPT_IN);
  const capture = captureFromEnv(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT);
  const instruments = genAiInstruments(setup.limits, setup.service, revision);
  const writer = new GenAiWriter(instruments, setup.engine);
  const { report } = setup;
  const callEnv: CallEnvironment = {
    writer,
    revision,
    maxContentLength: DEFAULT_MAX_CONTENT_LENGTH,
    report,
  };
  const writeTool = writer.tool.bind(writer);
  const writeAgent = writer.agent.bind(writer);
  return {
    revision,
    captureContent: capture,
    startCall: (options) => new GenAiCallHandle(callEnv, resolveCall(options, capture)),
    startTool: (options) => startTool(options, writeTool, report),
    startAgent: (options) => startAgent(options, writeAgent, report),
    executeTool: (options, fn) => runOperation(startTool(options, writeTool, report), fn),
    invokeAgent: (options, fn) => runOperation(startAgent(options, writeAgent, report), fn),
    withWorkflow: (workflowName, fn) =>
      runInWorkflow(wellFormed(requireName('withWorkflow', 'workflowName', workflowName)), fn),
    setPrices(catalog) {
      writer.prices = catalog === undefined ? undefined : new PriceBook(catalog);
    },
  };
}
