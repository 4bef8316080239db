// Loads modules of this package against one prom-client version: the pinned one, or an older
// 15.x installed side by side under a pnpm alias (devDependencies).
import { createRequire } from 'node:module';
import { vi } from 'vitest';

/** The lowest and highest prom-client 15.x the peer range claims, by the name each is installed under. */
export const PROM_CLIENTS = [
  { version: '15.1.0', alias: 'prom-client-15-1-0' },
  { version: '15.1.3', alias: 'prom-client' },
] as const;

export type PromClient = (typeof PROM_CLIENTS)[number];

/** The version installed under `alias`, from its package.json. */
export function installedVersion(alias: string): string {
  const require = createRequire(import.meta.url);
  return (require(`${alias}/package.json`) as { version: string }).version;
}

/**
 * Runs `load` (dynamic imports) on a fresh module graph where `prom-client` is `client`: every
 * module of this package imported inside sees that copy, and so do the test's own imports.
 */
export async function withPromClient<T>(client: PromClient, load: () => Promise<T>): Promise<T> {
  vi.resetModules();
  if (client.alias === 'prom-client') vi.doUnmock('prom-client');
  else vi.doMock('prom-client', () => import(client.alias));
  return load();
}
