// Framework-neutral HTTP server recorder. Adapters call start() when a request arrives and
// end() or abort() once; everything else (labels, limits, timing, sizes, exemplars) is here.
import { performance } from 'node:perf_hooks';
import type { Gauge, Histogram } from 'prom-client';
import { CLIENT_CLOSED_STATUS, UNMATCHED_ROUTE } from './contract.js';
import { activeTraceIds, exemplarLabels, type TraceIds } from './exemplars.js';
import type { LabelLimiter } from './labels.js';
import { normalizeMethod, statusLabel } from './labels.js';
import { GaugeWriter, HistogramWriter, type SeriesKey, type SeriesTable } from './series.js';
import type { HttpRequestOutcome, HttpRequestTimer, HttpRecorder } from './types.js';

export interface HttpInstruments {
  readonly service: string;
  readonly duration: Histogram;
  readonly active: Gauge;
  /** The body-size histograms, when createMetrics was asked for them (`httpBodySizes`). */
  readonly sizes: { readonly request: Histogram; readonly response: Histogram } | undefined;
  readonly routes: LabelLimiter;
  /** Label sets of the histograms (the sizes share the duration's labels). */
  readonly series: SeriesTable;
  /** Label sets of the active-requests gauge. */
  readonly activeSeries: SeriesTable;
  readonly report: (error: unknown) => void;
}

function validSize(size: number | undefined): size is number {
  return typeof size === 'number' && Number.isFinite(size) && size >= 0;
}

/** Status codes 100..599 are their own label; anything else shares key 0, label `_OTHER`. */
function statusKey(code: number): number {
  return Number.isInteger(code) && code >= 100 && code <= 599 ? code : 0;
}

/** Everything one method needs, built once: its active-requests key and its series by route. */
interface MethodState {
  readonly method: string;
  readonly active: SeriesKey;
  readonly routes: Map<string, Map<number, SeriesKey>>;
}

/** The writers and the label-set cache of one recorder. */
class HttpSeries {
  readonly #instruments: HttpInstruments;
  readonly #duration: HistogramWriter;
  readonly #requestSize: HistogramWriter | undefined;
  readonly #responseSize: HistogramWriter | undefined;
  readonly #active: GaugeWriter;
  readonly #methods = new Map<string, MethodState>();

  constructor(instruments: HttpInstruments) {
    this.#instruments = instruments;
    this.#duration = new HistogramWriter(instruments.duration);
    const sizes = instruments.sizes;
    this.#requestSize = sizes && new HistogramWriter(sizes.request);
    this.#responseSize = sizes && new HistogramWriter(sizes.response);
    this.#active = new GaugeWriter(instruments.active);
  }

  /** The state of a normalized method (a closed set, so this map stays small). */
  method(method: string): MethodState {
    let state = this.#methods.get(method);
    if (!state) {
      const active = this.#instruments.activeSeries.key([this.#instruments.service, method]);
      state = { method, active, routes: new Map() };
      this.#methods.set(method, state);
    }
    return state;
  }

  active(state: MethodState, delta: number): void {
    this.#active.add(state.active, delta);
  }

  /**
   * The key of (method, route, status), cached per label set; routes are bounded by the limiter.
   * Only admitted keys are cached: a write past the series budget asks the table each time, so
   * it is counted and the cache stays within the budget.
   */
  #key(state: MethodState, route: string, status: number): SeriesKey {
    const cached = state.routes.get(route)?.get(status);
    if (cached) return cached;
    const values = [this.#instruments.service, state.method, route, statusLabel(status)];
    const key = this.#instruments.series.admit(values);
    if (key === undefined) return this.#instruments.series.overflow(values);
    let byStatus = state.routes.get(route);
    if (!byStatus) {
      byStatus = new Map();
      state.routes.set(route, byStatus);
    }
    byStatus.set(status, key);
    return key;
  }

  record(
    state: MethodState,
    statusCode: number,
    seconds: number,
    outcome: Partial<HttpRequestOutcome>,
    ids: TraceIds | undefined,
  ): void {
    const route =
      typeof outcome.route === 'string' && outcome.route !== ''
        ? this.#instruments.routes.admit(outcome.route)
        : UNMATCHED_ROUTE;
    const key = this.#key(state, route, statusKey(statusCode));
    this.#duration.observe(key, seconds, exemplarLabels(outcome.traceIds ?? ids));
    if (this.#requestSize && validSize(outcome.requestBytes)) {
      this.#requestSize.observe(key, outcome.requestBytes, undefined);
    }
    if (this.#responseSize && validSize(outcome.responseBytes)) {
      this.#responseSize.observe(key, outcome.responseBytes, undefined);
    }
  }
}

class RequestTimer implements HttpRequestTimer {
  #done = false;
  readonly #startedAt = performance.now();
  readonly #state: MethodState;
  readonly #ids: TraceIds | undefined;
  readonly #series: HttpSeries;
  readonly #report: (error: unknown) => void;

  constructor(series: HttpSeries, state: MethodState, report: (error: unknown) => void) {
    this.#series = series;
    this.#state = state;
    this.#report = report;
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
    try {
      this.#series.active(this.#state, -1);
      const seconds = (performance.now() - this.#startedAt) / 1000;
      this.#series.record(this.#state, statusCode, seconds, outcome, this.#ids);
    } catch (error) {
      this.#report(error);
    }
  }
}

export function createHttpRecorder(instruments: HttpInstruments): HttpRecorder {
  const series = new HttpSeries(instruments);
  return {
    bodySizes: instruments.sizes !== undefined,
    start(method: string): HttpRequestTimer {
      const state = series.method(normalizeMethod(method));
      try {
        series.active(state, 1);
      } catch (error) {
        instruments.report(error);
      }
      return new RequestTimer(series, state, instruments.report);
    },
  };
}
