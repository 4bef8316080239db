// The dashboards `pnpm dashboards` writes, one file each.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { aiEngines } from './ai-engines.js';
import { businessKpis } from './business-kpis.js';
import { slo } from './slo.js';
import { systemOverview } from './system-overview.js';
import { workflowMetrics } from './workflow-metrics.js';

export interface DashboardFile {
  readonly file: string;
  readonly build: () => dashboard.Dashboard;
}

export const DASHBOARDS: readonly DashboardFile[] = [
  { file: 'system-overview.json', build: systemOverview },
  { file: 'workflow-metrics.json', build: workflowMetrics },
  { file: 'business-kpis.json', build: businessKpis },
  { file: 'slo.json', build: slo },
  { file: 'ai-engines.json', build: aiEngines },
];
