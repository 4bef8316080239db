// A fleet's capacity plan, from the constants measured on this repo's servers
// (infra/capacity/measured.json, by measure-capacity.ts): what one Prometheus replica holds, when
// to shard, disks, remote-write bandwidth, the long-term store and the KPI store, as Markdown.
//   tsx infra/scripts/capacity.ts FLEET.yaml [--measured FILE]
// Exit 2 with a message naming the field on a bad fleet description.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';
import { validateFleet } from './capacity/fleet.js';
import { MEASURED_JSON, readMeasured } from './capacity/measured.js';
import { planFleet } from './capacity/plan.js';
import { renderMeasured, renderPlan } from './capacity/render.js';

/** The document that shows the example fleet's report. */
const CAPACITY_DOC = fileURLToPath(new URL('../CAPACITY.md', import.meta.url));

export { validateFleet, type Fleet } from './capacity/fleet.js';
export { planFleet, KPI_DAY_KEYS, type Plan } from './capacity/plan.js';
export { readMeasured, type Measured } from './capacity/measured.js';
export { renderMeasured, renderPlan } from './capacity/render.js';

/**
 * The Markdown report of a fleet description file, formatted as the repo formats Markdown (so
 * infra/CAPACITY.md can show it verbatim).
 *
 * @example
 * await capacityReport('infra/capacity/fleet.example.yaml');
 */
export async function capacityReport(
  fleetFile: string,
  measuredFile: string = MEASURED_JSON,
): Promise<string> {
  const fleet = validateFleet(parse(readFileSync(fleetFile, 'utf8')));
  const measured = readMeasured(measuredFile);
  const text = [
    renderPlan(fleet, planFleet(fleet, measured)),
    '',
    `Measured constants (${measured.measuredAt.slice(0, 10)}, Prometheus ${measured.machine.prometheus}, VictoriaMetrics ${measured.machine.victoriaMetrics}):`,
    '',
    renderMeasured(measured),
    '',
  ].join('\n');
  return format(text, { ...(await resolveConfig(CAPACITY_DOC)), filepath: CAPACITY_DOC });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { measured: { type: 'string', default: MEASURED_JSON } },
  });
  try {
    if (positionals.length !== 1)
      throw new TypeError('usage: capacity.ts FLEET.yaml [--measured FILE]');
    process.stdout.write(await capacityReport(positionals[0] as string, values.measured as string));
  } catch (error) {
    process.stderr.write(`capacity: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
