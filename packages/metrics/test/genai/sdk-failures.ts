// What every instrumented SDK must record for calls that fail: the error.type and engine status
// of each failure mode, what is billed (nothing for an HTTP error, unknown for the rest), and a
// span with ERROR status. Also: a stream that ends without error but without its final event.
import { describe, expect, it } from 'vitest';
import { REQUEST_MODEL, type Driver } from './drivers.js';
import { useHarness } from './harness.js';

const ERROR = 2; // SpanStatusCode.ERROR

export function failureSuite(driver: Driver): void {
  describe(`${driver.name}: calls that fail`, () => {
    const h = useHarness(driver);

    /** The single call's error.type, engine status and unpriced reason, and its span's status. */
    async function outcome() {
      const s = await h.scrape();
      const [duration, ...more] = s.series('gen_ai_client_operation_duration_seconds_count');
      expect(more).toEqual([]);
      const [engine] = s.series('engine_calls_total');
      const [unpriced] = s.series('gen_ai_client_operation_unpriced_total');
      const [span] = h.tracing.named(`chat ${REQUEST_MODEL}`);
      expect(span?.attributes['error.type']).toBe(duration?.labels.error_type);
      expect(span?.status.code).toBe(ERROR);
      expect(s.value('gen_ai_client_operation_cost_total')).toBeUndefined();
      return {
        errorType: duration?.labels.error_type,
        status: engine?.labels.status,
        unpriced: unpriced?.labels.reason,
        firstChunks: s.value('gen_ai_client_operation_time_to_first_chunk_seconds_count'),
      };
    }

    it('429 with retry-after: error.type 429, not billed; retried, the call succeeds once', async () => {
      const client = h.client();
      h.fake.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 1, retryAfterMs: 10 });
      await expect(driver.plain(client)).rejects.toMatchObject({ status: 429 });
      expect(await outcome()).toEqual({
        errorType: '429',
        status: 'failure',
        unpriced: undefined,
        firstChunks: undefined,
      });

      const retrying = h.client({ maxRetries: 1 });
      h.fake.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 1, retryAfterMs: 10 });
      await driver.plain(retrying);
      expect(h.fake.requests.slice(-2).map((r) => r.attempt)).toEqual([0, 1]);
      const s = await h.scrape();
      expect(s.value('gen_ai_client_operation_duration_seconds_count', { error_type: '' })).toBe(1);
      expect(s.value('engine_calls_total', { status: 'success' })).toBe(1);
    });

    it('500: error.type 500', async () => {
      h.fake.enqueue({ kind: 'error', status: 500 });
      await expect(driver.plain(h.client())).rejects.toMatchObject({ status: 500 });
      expect(await outcome()).toEqual({
        errorType: '500',
        status: 'failure',
        unpriced: undefined,
        firstChunks: undefined,
      });
    });

    it('a stream cut in the middle: connection_error, cost unknown, the first chunk still timed', async () => {
      h.fake.enqueue({ kind: 'cut', afterChunks: 2 });
      await expect(driver.stream(h.client(), { usage: true })).rejects.toThrow();
      expect(await outcome()).toEqual({
        errorType: 'connection_error',
        status: 'failure',
        unpriced: 'incomplete',
        firstChunks: 1,
      });
    });

    it('a stream that ends early without an error: stream_incomplete, although the SDK threw nothing', async () => {
      h.fake.enqueue({ kind: 'end-early', afterChunks: 2 });
      expect(await driver.stream(h.client(), { usage: true })).toBeGreaterThan(0);
      expect(await outcome()).toEqual({
        errorType: 'stream_incomplete',
        status: 'failure',
        unpriced: 'incomplete',
        firstChunks: 1,
      });
    });

    it("an error event inside the stream: the provider's error type", async () => {
      const type = driver.provider === 'openai' ? 'server_error' : 'overloaded_error';
      h.fake.enqueue({ kind: 'stream-error', afterChunks: 1, errorType: type });
      await expect(driver.stream(h.client(), { usage: true })).rejects.toThrow();
      expect(await outcome()).toEqual({
        errorType: type,
        status: 'failure',
        unpriced: 'incomplete',
        firstChunks: 1,
      });
    });

    it('a client-side timeout: error.type timeout, engine status timeout', async () => {
      h.fake.enqueue({ kind: 'stall', ms: 1000 });
      await expect(driver.plain(h.client({ timeout: 100 }))).rejects.toThrow(/timed out/i);
      expect(await outcome()).toEqual({
        errorType: 'timeout',
        status: 'timeout',
        unpriced: 'incomplete',
        firstChunks: undefined,
      });
    });

    it('an abort before the answer: cancelled', async () => {
      h.fake.enqueue({ kind: 'stall', ms: 1000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await expect(driver.plain(h.client(), { signal: controller.signal })).rejects.toThrow(
        /abort/i,
      );
      expect(await outcome()).toEqual({
        errorType: 'cancelled',
        status: 'cancelled',
        unpriced: 'incomplete',
        firstChunks: undefined,
      });
    });

    it('an abort in the middle of a stream (the SDK ends the iteration quietly): cancelled', async () => {
      h.fake.enqueue({ kind: 'ok', text: 'one two three four five six', chunkMs: 30 });
      const events = await driver.stream(h.client(), { usage: true, abortAfter: 3 });
      expect(events).toBe(3);
      expect(await outcome()).toEqual({
        errorType: 'cancelled',
        status: 'cancelled',
        unpriced: 'incomplete',
        firstChunks: 1,
      });
    });
  });
}
