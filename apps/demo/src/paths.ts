import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The workspace root, from apps/demo/{src,dist}. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const appDir = (name: string): string => join(ROOT, 'apps', name);
export const infraFile = (...parts: string[]): string => join(ROOT, 'infra', ...parts);
