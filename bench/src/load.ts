// The load generator, a process of its own: autocannon against one server for a bounded time.
import autocannon from 'autocannon';

export interface LoadRequest {
  readonly url: string;
  readonly durationSeconds: number;
  readonly connections: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

process.on('message', (message: LoadRequest) => {
  const started = performance.now();
  autocannon(
    {
      url: message.url,
      connections: message.connections,
      duration: message.durationSeconds,
      pipelining: 1,
    },
    (error, result) => {
      if (error) {
        process.send?.({ type: 'error', message: String(error) });
        return;
      }
      const done: LoadResult = {
        requests: result.requests.total,
        seconds: result.duration || (performance.now() - started) / 1000,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
      };
      process.send?.({ type: 'result', result: done });
    },
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
