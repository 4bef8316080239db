// Counts spans that never reach the collector: into tracing_spans_dropped_total when a registry is
// given, otherwise one log line for the life of the process.
import type { Counter } from 'prom-client';
import type { AnyRegistry } from '@ai-orchestrator/metrics';
import type { DropReason } from './types.js';
import { warnOnce } from './warn.js';

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
        : import('@ai-orchestrator/metrics').then(
            ({ ensureCounter, METRICS }) => {
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

  drop(reason: DropReason, count: number): void {
    if (count <= 0) return;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + count);
    if (this.counter !== undefined) {
      this.counter.inc({ service: this.service, reason }, count);
      return;
    }
    if (this.withRegistry) {
      this.pending.set(reason, (this.pending.get(reason) ?? 0) + count);
      return;
    }
    warnOnce(
      'AIO_TRACING_SPANS_DROPPED',
      `dropping spans (${reason}): the trace collector is down, slow or overloaded; later drops ` +
        'are counted without logging (give a registry to get tracing_spans_dropped_total)',
    );
  }
}
