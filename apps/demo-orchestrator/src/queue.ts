// A bounded in-process work queue with a fixed number of workers; stalls on request.
import { AsyncResource } from 'node:async_hooks';
import type { Metrics } from '@ai-orchestrator/metrics';

export interface Job<T> {
  readonly run: () => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export class WorkQueue<T> {
  readonly #jobs: Job<T>[] = [];
  #running = 0;
  #stalled = false;

  constructor(
    private readonly name: string,
    private readonly concurrency: number,
    private readonly capacity: number,
    private readonly metrics: Metrics,
  ) {
    metrics.setQueueSize(name, 0);
  }

  get size(): number {
    return this.#jobs.length;
  }

  set stalled(value: boolean) {
    this.#stalled = value;
    this.#drain();
  }

  /** Queues work; rejects at once when the queue is full (the caller answers 503). */
  push(run: () => Promise<T>): Promise<T> {
    if (this.#jobs.length >= this.capacity) {
      return Promise.reject(new Error(`queue ${this.name} is full (${this.capacity})`));
    }
    return new Promise<T>((resolve, reject) => {
      // A job starts from whichever job ended before it: bound here, it runs in the context (the
      // trace) of the request that queued it, not of that earlier job.
      this.#jobs.push({ run: AsyncResource.bind(run), resolve, reject });
      this.metrics.setQueueSize(this.name, this.#jobs.length);
      this.#drain();
    });
  }

  #drain(): void {
    while (!this.#stalled && this.#running < this.concurrency && this.#jobs.length > 0) {
      const job = this.#jobs.shift() as Job<T>;
      this.metrics.setQueueSize(this.name, this.#jobs.length);
      this.#running += 1;
      job
        .run()
        .then(job.resolve, job.reject)
        .finally(() => {
          this.#running -= 1;
          this.#drain();
        });
    }
  }
}
