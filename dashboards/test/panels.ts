// Reads the committed dashboards and turns their queries into plain PromQL, the way Grafana
// would before sending them.
import { readFileSync } from 'node:fs';
import { DASHBOARDS } from '../src/dashboards.js';

export interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly exemplar?: boolean;
  readonly instant?: boolean;
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly targets?: Target[];
  readonly links?: { title: string; url: string }[];
  readonly fieldConfig?: {
    defaults: { unit?: string; thresholds?: { steps: { value: number | null }[] } };
  };
  readonly options?: { legend?: { showLegend?: boolean } };
}

export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly definition?: string;
}

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels: Panel[];
  readonly templating: { list: Variable[] };
}

/** Each committed dashboard, parsed, with its file name. */
export function committed(): { file: string; dashboard: DashboardJson; text: string }[] {
  return DASHBOARDS.map(({ file }) => {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    return { file, text, dashboard: JSON.parse(text) as DashboardJson };
  });
}

/** Grafana's own variables, and the values the tests give them (scrapes are 1 s apart). */
export const BUILT_INS: Readonly<Record<string, string>> = {
  __rate_interval: '30s',
  __interval: '15s',
  __range: '1m',
};

const VARIABLE = /\$(?:\{([a-zA-Z0-9_]+)(?::[a-z]+)?\}|([a-zA-Z0-9_]+))/g;

/** The names of the `$var` / `${var}` references in `text`. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => (m[1] ?? m[2]) as string);
}

/** `text` with every variable replaced by `values[name]` or a built-in; throws on an unknown one. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (_all, braced?: string, bare?: string) => {
    const name = (braced ?? bare) as string;
    const value = values[name] ?? BUILT_INS[name];
    if (value === undefined) throw new Error(`undefined template variable $${name} in ${text}`);
    return value;
  });
}

/** `label_values(selector, label)` of a query variable, split in its two parts. */
export function labelValuesQuery(definition: string): { selector: string; label: string } {
  const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(definition.trim());
  if (!m) throw new Error(`not a label_values() query: ${definition}`);
  return { selector: m[1] as string, label: m[2] as string };
}

/** Every non-row panel with its dashboard. */
export function allPanels(): { file: string; dashboard: DashboardJson; panel: Panel }[] {
  return committed().flatMap(({ file, dashboard }) =>
    dashboard.panels.filter((p) => p.type !== 'row').map((panel) => ({ file, dashboard, panel })),
  );
}
