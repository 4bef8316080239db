import type { Histogram } from 'prom-client';

type Labels = Record<string, string>;

/** Observes with an exemplar when the histogram keeps them, plainly otherwise. */
export function observe(
  histogram: Histogram,
  labels: Labels,
  value: number,
  exemplar: Labels | undefined,
): void {
  if ((histogram as Histogram & { enableExemplars?: boolean }).enableExemplars) {
    histogram.observe(exemplar ? { labels, value, exemplarLabels: exemplar } : { labels, value });
  } else {
    histogram.observe(labels, value);
  }
}
