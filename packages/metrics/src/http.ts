// Framework-neutral HTTP server recorder. Adapters call start() when a request arrives and
// end() or abort() once; everything else (labels, limits, timing, sizes, exemplars) is here.
import { performance } from 'node:perf_hooks';
import type { Gauge, Histogram } from 'prom-client';
import { CLIENT_CLOSED_STATUS, UNMATCHED_ROUTE } from './contract.js';
import { activeTraceIds, exemplarLabels, type TraceIds } from './exemplars.js';
import type { LabelLimiter } from './labels.js';
import { normalizeMethod, statusLabel } from './labels.js';
import { observe } from './observe.js';
import type { HttpRequestOutcome, HttpRequestTimer, HttpRecorder } from './types.js';

export interface HttpInstruments {
  readonly service: string;
  readonly duration: Histogram;
  readonly active: Gauge;
  readonly requestSize: Histogram;
  readonly responseSize: Histogram;
  readonly routes: LabelLimiter;
  readonly report: (error: unknown) => void;
}

function validSize(size: number | undefined): size is number {
  return typeof size === 'number' && Number.isFinite(size) && size >= 0;
}

class RequestTimer implements HttpRequestTimer {
  #done = false;
  readonly #startedAt = performance.now();
  readonly #method: string;
  readonly #ids: TraceIds | undefined;
  readonly #instruments: HttpInstruments;

  constructor(instruments: HttpInstruments, method: string) {
    this.#instruments = instruments;
    this.#method = method;
    this.#ids = activeTraceIds();
  }

  get done(): boolean {
    return this.#done;
  }

  end(outcome: HttpRequestOutcome): void {
    this.#finish(outcome.statusCode, outcome);
  }

  abort(outcome: Partial<HttpRequestOutcome> = {}): void {
    this.#finish(CLIENT_CLOSED_STATUS, outcome);
  }

  #finish(statusCode: number, outcome: Partial<HttpRequestOutcome>): void {
    if (this.#done) return;
    this.#done = true;
    const m = this.#instruments;
    try {
      m.active.dec({ service: m.service, http_request_method: this.#method });
      const seconds = (performance.now() - this.#startedAt) / 1000;
      const route =
        typeof outcome.route === 'string' && outcome.route !== ''
          ? m.routes.admit(outcome.route)
          : UNMATCHED_ROUTE;
      const labels = {
        service: m.service,
        http_request_method: this.#method,
        http_route: route,
        http_response_status_code: statusLabel(statusCode),
      };
      const ids = outcome.traceIds ?? this.#ids;
      observe(m.duration, labels, seconds, exemplarLabels(ids));
      if (validSize(outcome.requestBytes)) m.requestSize.observe(labels, outcome.requestBytes);
      if (validSize(outcome.responseBytes)) m.responseSize.observe(labels, outcome.responseBytes);
    } catch (error) {
      m.report(error);
    }
  }
}

export function createHttpRecorder(instruments: HttpInstruments): HttpRecorder {
  return {
    start(method: string): HttpRequestTimer {
      const normalized = normalizeMethod(method);
      try {
        instruments.active.inc({ service: instruments.service, http_request_method: normalized });
      } catch (error) {
        instruments.report(error);
      }
      return new RequestTimer(instruments, normalized);
    },
  };
}
