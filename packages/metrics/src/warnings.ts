// One-time warnings through process.emitWarning, so `--no-warnings` and warning listeners apply.
// A broken dependency must not flood the logs of the service it is observed from.

/**
 * The warnings of one package (or one object of it): each key is said once for the life of the
 * `Warnings` object.
 *
 * @example
 * const warnings = new Warnings('@ai-orchestrator/metrics', 'MetricsWarning');
 * warnings.once('AIO_METRICS_OPEN', 'metrics server has no auth', 'AIO_METRICS_OPEN');
 */
export class Warnings {
  readonly #said = new Set<string>();
  readonly #source: string;
  readonly #type: string;

  /** `source` starts every message (the package name); `type` is the warning's name. */
  constructor(source: string, type: string) {
    this.#source = source;
    this.#type = type;
  }

  /**
   * Emits `message` the first time `key` comes; true when it did. A function is called only
   * then, for messages that cost something to build on a path that repeats.
   */
  once(key: string, message: string | (() => string), code?: string): boolean {
    if (this.#said.has(key)) return false;
    this.#said.add(key);
    this.emit(typeof message === 'function' ? message() : message, code);
    return true;
  }

  /** Emits `message` now, whatever was said before. */
  emit(message: string, code?: string): void {
    const options = code === undefined ? { type: this.#type } : { type: this.#type, code };
    process.emitWarning(`${this.#source}: ${message}`, options);
  }
}

/** The warnings of @ai-orchestrator/metrics, one per key for the life of the process. */
export const metricsWarnings = new Warnings('@ai-orchestrator/metrics', 'MetricsWarning');
