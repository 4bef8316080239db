// startCall's options, checked once: a TypeError names the field and the value, before anything
// is recorded. What a call keeps is plain data, so the handle does no checks on the hot path.
import type { Attributes } from '@opentelemetry/api';
import { wellFormed } from '../labels.js';
import { invalid, optionalName, requireName } from '../validate.js';
import { ATTR } from './semconv.js';
import type { GenAiCallOptions, GenAiInputContent } from './types.js';
import { currentWorkflow } from './workflow.js';

const WHERE = 'startCall';

export interface ResolvedCall {
  readonly provider: string;
  readonly operation: string;
  readonly requestModel: string | undefined;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  readonly workflowName: string | undefined;
  readonly engineType: string;
  readonly span: boolean;
  readonly spanName: string;
  readonly attributes: Attributes;
  readonly capture: boolean;
  readonly content: GenAiInputContent | undefined;
}

function port(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalid(WHERE, 'serverPort', value, 'an integer from 1 to 65535');
  }
  return value;
}

function name(field: string, value: unknown): string | undefined {
  const v = optionalName(WHERE, field, value);
  return v === undefined ? undefined : wellFormed(v);
}

/**
 * The checked options of one call; `captureDefault` is the recorder's setting (the environment
 * variable), which `captureContent` overrides.
 */
export function resolveCall(options: GenAiCallOptions, captureDefault: boolean): ResolvedCall {
  if (typeof options !== 'object' || options === null) {
    throw invalid(WHERE, 'options', options, 'an object { provider, operation, … }');
  }
  const provider = wellFormed(requireName(WHERE, 'provider', options.provider));
  const operation = wellFormed(requireName(WHERE, 'operation', options.operation));
  const requestModel = name('requestModel', options.requestModel);
  const serverAddress = name('serverAddress', options.serverAddress);
  const serverPort = port(options.serverPort);
  const workflowName = name('workflowName', options.workflowName) ?? currentWorkflow();
  const engineType = name('engineType', options.engineType) ?? provider;
  if (
    options.attributes !== undefined &&
    (typeof options.attributes !== 'object' || options.attributes === null)
  ) {
    throw invalid(WHERE, 'attributes', options.attributes, 'an object of span attributes');
  }
  const attributes: Attributes = { ...options.attributes };
  attributes[ATTR.operation] = operation;
  attributes[ATTR.provider] = provider;
  if (requestModel !== undefined) attributes[ATTR.requestModel] = requestModel;
  if (serverAddress !== undefined) attributes[ATTR.serverAddress] = serverAddress;
  // server.port is conditionally required whenever server.address is set, and only then.
  if (serverAddress !== undefined && serverPort !== undefined)
    attributes[ATTR.serverPort] = serverPort;
  if (options.stream === true) attributes[ATTR.stream] = true;
  return {
    provider,
    operation,
    requestModel,
    serverAddress,
    serverPort: serverAddress === undefined ? undefined : serverPort,
    workflowName,
    engineType,
    span: options.span !== false,
    spanName: requestModel === undefined ? operation : `${operation} ${requestModel}`,
    attributes,
    capture: options.captureContent ?? captureDefault,
    content: options.content,
  };
}
