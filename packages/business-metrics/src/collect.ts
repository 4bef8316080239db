// One collect callback per gauge, shared by every business-metrics instance on the registry.
import type { Gauge } from 'prom-client';

type Refresh = () => Promise<void>;
type Collectable = Gauge & { collect?: () => Promise<void> };

const refreshers = new WeakMap<Gauge, Set<Refresh>>();

/** Runs `refresh` whenever `gauge` is scraped, until the returned function is called. */
export function onCollect(gauge: Gauge, refresh: Refresh): () => void {
  let set = refreshers.get(gauge);
  if (!set) {
    const created = new Set<Refresh>();
    refreshers.set(gauge, (set = created));
    // prom-client awaits a promise returned by collect() before reading the gauge's values.
    (gauge as Collectable).collect = async () => {
      await Promise.all([...created].map((refreshOne) => refreshOne()));
    };
  }
  set.add(refresh);
  const owned = set;
  return () => owned.delete(refresh);
}

const started = new WeakMap<Gauge, Set<string>>();

/** True the first time it is asked for this gauge and service (a second instance must not reset it). */
export function firstFor(gauge: Gauge, service: string): boolean {
  let services = started.get(gauge);
  if (!services) started.set(gauge, (services = new Set()));
  if (services.has(service)) return false;
  services.add(service);
  return true;
}
