// The one module that knows the inside of the Stainless SDKs (openai 4-6, @anthropic-ai/sdk 0.x
// and 1.x): an APIPromise keeps `responsePromise` and calls its own `parseResponse` property for
// every way of reading the result (await, .withResponse(), _thenUnwrap in parse/stream helpers);
// a Stream reads through its own `iterator` property (also for tee() and toReadableStream()).
// Each shape is checked before use; on any other shape the caller falls back to public API.
// Tested against every SDK version the README lists.

/** Sees a call's outcome without changing what the caller gets. */
export interface ResponseObserver {
  /** The parsed body (an object, or a Stream when the request streamed). */
  data(value: unknown): void;
  /** The request failed: HTTP status, timeout, abort, connection. */
  error(error: unknown): void;
}

interface ApiPromiseShape {
  parseResponse: (...args: unknown[]) => unknown;
  readonly responsePromise: PromiseLike<unknown>;
}

function isApiPromise(value: unknown): value is ApiPromiseShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ApiPromiseShape>;
  return typeof v.parseResponse === 'function' && typeof v.responsePromise?.then === 'function';
}

/**
 * Observes an APIPromise lazily: nothing is read until the caller reads it, so `.asResponse()`
 * alone keeps the body to itself (that call is then not recorded). False if `value` is no
 * APIPromise of a shape we know.
 */
export function observeApiPromise(value: unknown, observer: ResponseObserver): boolean {
  if (!isApiPromise(value)) return false;
  const parse = value.parseResponse;
  value.parseResponse = async function parseObserved(this: unknown, ...args: unknown[]) {
    let data: unknown;
    try {
      data = await parse.apply(this, args);
    } catch (error) {
      observer.error(error);
      throw error;
    }
    observer.data(data);
    return data;
  };
  // Errors before a body (status, timeout, abort) reject responsePromise and skip parseResponse.
  value.responsePromise.then(undefined, (error: unknown) => observer.error(error));
  return true;
}

/** Sees each event of a stream, its end, its failure, and a consumer that stops early. */
export interface StreamObserver {
  event(value: unknown): void;
  /** The iteration ended; `aborted` when the stream's controller was aborted (the SDK ends quietly). */
  end(aborted: boolean): void;
  error(error: unknown): void;
  /** The consumer stopped iterating (break, return). */
  closed(): void;
}

interface StreamShape {
  iterator: () => AsyncIterator<unknown>;
  readonly controller: { readonly signal: AbortSignal };
}

/** True for an SDK Stream we know how to observe. */
export function isSdkStream(value: unknown): value is StreamShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<StreamShape>;
  return typeof v.iterator === 'function' && v.controller?.signal instanceof AbortSignal;
}

function observed(
  inner: AsyncIterator<unknown>,
  observer: StreamObserver,
  aborted: () => boolean,
): AsyncIterableIterator<unknown> {
  // One `.then` per chunk, not an async function's two promises: this runs for every chunk.
  const onStep = (step: IteratorResult<unknown>): IteratorResult<unknown> => {
    if (step.done) observer.end(aborted());
    else observer.event(step.value);
    return step;
  };
  const onError = (error: unknown): never => {
    observer.error(error);
    throw error;
  };
  const methods: Omit<AsyncIterableIterator<unknown>, typeof Symbol.asyncIterator> = {
    next: () => inner.next().then(onStep, onError),
    async return(value?: unknown) {
      observer.closed();
      return inner.return ? inner.return(value) : { done: true, value };
    },
    async throw(error?: unknown) {
      observer.error(error);
      if (inner.throw) return inner.throw(error);
      throw error;
    },
  };
  // (assigned: an object literal's computed key slows for good after an idle collection)
  const it = methods as AsyncIterableIterator<unknown>;
  it[Symbol.asyncIterator] = () => it;
  return it;
}

/** Makes every iteration of `stream` go through `observer` (the stream is still the caller's). */
export function observeStream(stream: StreamShape, observer: StreamObserver): void {
  const iterator = stream.iterator;
  stream.iterator = function iterateObserved(this: unknown) {
    return observed(iterator.call(this), observer, () => stream.controller.signal.aborted);
  };
}

/** A method another instrumentation (shimmer: @opentelemetry/instrumentation-*) has wrapped. */
export function wrappedByOtherInstrumentation(method: unknown): boolean {
  return typeof method === 'function' && (method as { __wrapped?: unknown }).__wrapped === true;
}
