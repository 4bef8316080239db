// Where things are, for the deployment tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const INFRA = join(REPO, 'infra');
export const K8S = join(INFRA, 'k8s');
export const COMPOSE_FILE = join(INFRA, 'compose', 'docker-compose.monitoring.yml');
export const SCRIPTS = join(INFRA, 'scripts');
export const TSX = join(INFRA, 'node_modules', '.bin', 'tsx');

/** File names in a directory, sorted so failure messages are stable; [] when it is missing. */
export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** The generated dashboards (dashboards/*.json; package.json and tsconfig.json are not dashboards). */
export function dashboardFiles(): string[] {
  return listDir(join(REPO, 'dashboards')).filter(
    (name) => name.endsWith('.json') && !['package.json', 'tsconfig.json'].includes(name),
  );
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}
