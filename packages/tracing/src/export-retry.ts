// Retries of an OTLP export, with OpenTelemetry's policy (its RetryingTransport: five retries, a
// jittered backoff from 1 s growing 1.5 times up to 5 s, a server's Retry-After first, never past
// the export's deadline), and one thing it lacks: stop(). Once the exporter is shut down, a retry
// waiting for its turn ends at once as failed and none is sent any more, so a collector that is
// down no longer keeps the process alive, nor sends requests, for seconds after shutdown().
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';

const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;

const STOPPED: ExportResponse = {
  status: 'failure',
  error: new Error('the exporter was shut down before the export could be retried'),
};

/** A backoff within ±20% of `ms`. */
function jittered(ms: number): number {
  return ms * (1 + (Math.random() * 2 - 1) * JITTER);
}

export class ExportRetries implements IExporterTransport {
  #stopped = false;
  // the retries waiting for their turn: stop() ends each of them
  readonly #waiting = new Set<() => void>();

  constructor(private readonly transport: IExporterTransport) {}

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    if (this.#stopped) return STOPPED;
    const deadline = Date.now() + timeoutMillis;
    let response = await this.transport.send(data, timeoutMillis);
    let backoff = INITIAL_BACKOFF_MS;
    for (let retries = 0; response.status === 'retryable' && retries < MAX_RETRIES; retries++) {
      const wait = response.retryInMillis ?? Math.min(jittered(backoff), MAX_BACKOFF_MS);
      backoff *= BACKOFF_MULTIPLIER;
      if (wait > deadline - Date.now()) return response;
      const last = response;
      const due = await this.#after(Math.max(wait, 0));
      if (!due)
        return last.error === undefined ? STOPPED : { status: 'failure', error: last.error };
      response = await this.transport.send(data, deadline - Date.now());
    }
    return response;
  }

  /** Resolves true after `ms`, or false as soon as stop() is called. */
  #after(ms: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const end = (due: boolean): void => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve(due);
      };
      const done = (): void => end(false);
      const timer = setTimeout(() => end(true), ms);
      this.#waiting.add(done);
    });
  }

  /** Ends the retries waiting now and refuses new exports; requests on the wire run their course. */
  stop(): void {
    this.#stopped = true;
    for (const end of [...this.#waiting]) end();
  }

  shutdown(): void {
    this.stop();
    this.transport.shutdown();
  }
}
