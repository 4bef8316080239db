// Replaces one SDK method (`client.chat.completions.create`, …) on that client's own resource
// object: a call handle per request, the SDK's APIPromise returned untouched, its result and its
// stream observed. A failure of ours never reaches the caller: the SDK runs as if unwrapped.
import type { Protocol, StreamReader } from './protocol.js';
import {
  isSdkStream,
  observeApiPromise,
  observeStream,
  wrappedByOtherInstrumentation,
  type ResponseObserver,
  type StreamObserver,
} from './sdk-internals.js';
import type { GenAiCall, GenAiRecorder } from './types.js';

/** What every wrapped method of one client shares. */
export interface WrapContext {
  readonly recorder: GenAiRecorder;
  readonly provider: string;
  readonly engineType: string | undefined;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  readonly captureContent: boolean;
  /** Start our span; false when the SDK or another instrumentation makes one. */
  readonly spans: boolean;
  readonly report: (error: unknown) => void;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Runs `fn`; what it throws is reported, never thrown (observers run inside the SDK's code). */
function guarded(report: (error: unknown) => void, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    report(error);
  }
}

function streamObserver(
  call: GenAiCall,
  reader: StreamReader,
  report: WrapContext['report'],
): StreamObserver {
  const stop = (errorType: string, why: string) => {
    const { responseModel, responseId } = reader.result();
    call.fail(new Error(why), { errorType, responseModel, responseId });
  };
  const finish = (aborted: boolean) => {
    if (reader.failure !== undefined)
      stop(reader.failure, 'the provider reported a failure in the stream');
    else if (reader.complete) call.end(reader.result());
    else if (aborted) stop('cancelled', 'the stream was aborted');
    else stop('stream_incomplete', 'the stream ended before its final event');
  };
  return {
    // Runs for every chunk: no closure per call, unlike the guarded() of the rare events.
    event(value) {
      try {
        if (reader.event(value)) call.chunk();
      } catch (error) {
        report(error);
      }
    },
    end: (aborted) => guarded(report, () => finish(aborted)),
    closed: () => guarded(report, () => finish(true)),
    error: (error) =>
      guarded(report, () => {
        const { responseModel, responseId } = reader.result();
        call.fail(error, { responseModel, responseId });
      }),
  };
}

function responseObserver(call: GenAiCall, protocol: Protocol, ctx: WrapContext): ResponseObserver {
  return {
    data: (value) =>
      guarded(ctx.report, () => {
        if (isSdkStream(value)) {
          observeStream(
            value,
            streamObserver(call, protocol.stream(ctx.captureContent), ctx.report),
          );
        } else {
          call.end(protocol.response(value, ctx.captureContent));
        }
      }),
    error: (error) => guarded(ctx.report, () => call.fail(error)),
  };
}

function start(protocol: Protocol, ctx: WrapContext, body: unknown, spans: boolean): GenAiCall {
  const info = protocol.request(body, ctx.captureContent);
  return ctx.recorder.startCall({
    provider: ctx.provider,
    operation: protocol.operation,
    ...(info.model === undefined ? {} : { requestModel: info.model }),
    ...(ctx.serverAddress === undefined ? {} : { serverAddress: ctx.serverAddress }),
    ...(ctx.serverPort === undefined ? {} : { serverPort: ctx.serverPort }),
    ...(ctx.engineType === undefined ? {} : { engineType: ctx.engineType }),
    stream: info.stream,
    attributes: info.attributes,
    ...(info.content === undefined ? {} : { content: info.content }),
    captureContent: ctx.captureContent,
    span: spans,
  });
}

/** Instruments `resource.create` of one client instance with `protocol`. */
export function wrapCreate(
  resource: { create: Method },
  protocol: Protocol,
  ctx: WrapContext,
): void {
  const original = resource.create;
  // instrumentation-openai patches the prototype: its span stays, ours would be a second one.
  const spans = ctx.spans && !wrappedByOtherInstrumentation(original);
  resource.create = function createInstrumented(this: unknown, ...args: unknown[]): unknown {
    let call: GenAiCall;
    try {
      call = start(protocol, ctx, args[0], spans);
    } catch (error) {
      ctx.report(error);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = call.run(() => original.apply(this, args));
    } catch (error) {
      guarded(ctx.report, () => call.fail(error));
      throw error;
    }
    const observer = responseObserver(call, protocol, ctx);
    if (!observeApiPromise(result, observer)) {
      // Not an APIPromise we know: observe it as a plain promise.
      Promise.resolve(result).then(observer.data, observer.error);
    }
    return result;
  };
}
