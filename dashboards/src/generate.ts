// Builds every dashboard and writes dashboards/<file>.json: `pnpm dashboards`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS } from './dashboards.js';
import { stableJson } from './json.js';

/** The text of each generated file, by file name; the freshness test compares these. */
export function render(): Map<string, string> {
  return new Map(DASHBOARDS.map((d) => [d.file, stableJson(d.build())]));
}

const OUT_DIR = new URL('../', import.meta.url);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [file, text] of render()) {
    writeFileSync(new URL(file, OUT_DIR), text);
    console.log(`wrote dashboards/${file}`);
  }
}
