// Jaeger v2 serves remote sampling strategies in the JSON of its legacy Thrift API on every path,
// `/sampling` included, so `strategyType` is a number (0 probabilistic, 1 rate limiting).
// @opentelemetry/sampler-jaeger-remote 0.222 compares it with the string "PROBABILISTIC" and so
// ignores every strategy without per-operation entries: a service's own rate and the default
// strategy. This module makes the sampler read both forms; it is the one place that reaches into
// the sampler's private `getSamplerConfig`, and checks it is there first.
import type { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';

/** The legacy enum's numbers, as the sampler's `StrategyType` names them. */
const STRATEGY_TYPES = ['PROBABILISTIC', 'RATELIMITING'];

/**
 * A strategy response with a numeric `strategyType` given its name; anything else unchanged.
 *
 * @example
 * namedStrategyType({ strategyType: 0, probabilisticSampling: { samplingRate: 0.5 } });
 * // { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.5 } }
 */
export function namedStrategyType(response: unknown): unknown {
  if (response === null || typeof response !== 'object') return response;
  const { strategyType } = response as { strategyType?: unknown };
  if (typeof strategyType !== 'number') return response;
  return { ...response, strategyType: STRATEGY_TYPES[strategyType] ?? String(strategyType) };
}

type Fetch = (serviceName?: string) => Promise<unknown>;

/**
 * Makes `sampler` read Jaeger v2's numeric strategy types; false when the sampler has no
 * `getSamplerConfig` to wrap (another version of the library), which the caller reports.
 */
export function readNumericStrategyTypes(sampler: JaegerRemoteSampler): boolean {
  const internals = sampler as unknown as { getSamplerConfig?: Fetch };
  const fetchConfig = internals.getSamplerConfig;
  if (typeof fetchConfig !== 'function') return false;
  internals.getSamplerConfig = async (serviceName) =>
    namedStrategyType(await fetchConfig.call(sampler, serviceName));
  return true;
}
