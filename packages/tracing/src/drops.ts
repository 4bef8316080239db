// Counts spans that never reach the collector: into tracing_spans_dropped_total when a registry is
// given, otherwise one log line for the life of the process.
import type { Counter } from 'prom-client';
import type { AnyRegistry } from '@ai-orchestrator/metrics';
import { describeFailure } from './export-failure.js';
import type { DropReason } from './types.js';
import { warnOnce } from './warn.js';

const WHY: Readonly<Record<DropReason, string>> = {
  queue_full: 'more spans end than the collector takes, and the export queue is full',
  export_failed: 'an export failed',
  shutdown: 'they were still pending when shutdown() stopped waiting (shutdownTimeoutMs)',
};

const REASONS: readonly DropReason[] = ['queue_full', 'export_failed', 'shutdown'];

export class DropCounter {
  private counter: Counter | undefined;
  private readonly pending = new Map<DropReason, number>();
  private readonly byReason = new Map<DropReason, number>();
  /** Settles once the registry counter exists (or could not be made). */
  readonly ready: Promise<void>;
  private readonly withRegistry: boolean;

  constructor(
    private readonly service: string,
    registry?: AnyRegistry,
  ) {
    this.withRegistry = registry !== undefined;
    // loaded lazily: prom-client is only needed by apps that hand us a registry
    this.ready =
      registry === undefined
        ? Promise.resolve()
        : Promise.all([
            import('@ai-orchestrator/metrics'),
            import('@ai-orchestrator/metrics/adapter'),
          ]).then(
            ([{ METRICS }, { ensureCounter }]) => {
              const counter = ensureCounter(registry, METRICS.tracingSpansDropped);
              for (const reason of REASONS) {
                counter.inc({ service, reason }, this.pending.get(reason) ?? 0);
              }
              this.pending.clear();
              this.counter = counter;
            },
            (error: unknown) => {
              warnOnce(
                'AIO_TRACING_DROP_COUNTER',
                `cannot register tracing_spans_dropped_total: ${String(error)}`,
              );
            },
          );
  }

  /** Spans dropped so far, by reason. */
  counts(): Readonly<Record<DropReason, number>> {
    return {
      queue_full: this.byReason.get('queue_full') ?? 0,
      export_failed: this.byReason.get('export_failed') ?? 0,
      shutdown: this.byReason.get('shutdown') ?? 0,
    };
  }

  /** Counts `count` dropped spans; the first drop of each reason and cause is logged. */
  drop(reason: DropReason, count: number, cause?: unknown): void {
    if (count <= 0) return;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + count);
    this.log(reason, cause);
    if (this.counter !== undefined) {
      this.counter.inc({ service: this.service, reason }, count);
    } else if (this.withRegistry) {
      this.pending.set(reason, (this.pending.get(reason) ?? 0) + count);
    }
  }

  private log(reason: DropReason, cause: unknown): void {
    const failure =
      reason === 'export_failed' || cause !== undefined ? describeFailure(cause) : undefined;
    const why =
      reason === 'shutdown' && failure !== undefined
        ? `they were pending at shutdown() and the collector takes no connection: ${failure.text}`
        : (failure?.text ?? WHY[reason]);
    const counted = this.withRegistry
      ? `counted in tracing_spans_dropped_total{reason="${reason}"}`
      : 'give a registry to count them in tracing_spans_dropped_total';
    warnOnce(
      'AIO_TRACING_SPANS_DROPPED',
      `dropping spans of ${this.service} (${reason}): ${why}; ` +
        `${counted}. Logged once for this cause.`,
      `dropped ${this.service} ${reason} ${failure?.kind ?? ''}`,
    );
  }
}
