// What business_store_errors_total counted for one operation and reason, for the store tests.
import type { Registry } from 'prom-client';

/** The count of `business_store_errors_total{operation, reason}` in `registry` (0 when none). */
export async function storeErrors(
  registry: Registry,
  operation: string,
  reason: string,
): Promise<number> {
  const data = await registry.getSingleMetric('business_store_errors_total')!.get();
  const found = data.values.find(
    (v) => v.labels.operation === operation && v.labels.reason === reason,
  );
  return found?.value ?? 0;
}
