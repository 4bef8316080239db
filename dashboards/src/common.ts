// Builders every dashboard shares: the datasource, the template variables, panels with their
// legend, unit, description and thresholds set the same way everywhere.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { runbookUrl } from './alerts.js';

/** Every panel queries the datasource the `datasource` variable picks. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
/** The uid of the provisioned Prometheus datasource (infra/grafana/provisioning/datasources). */
export const PROMETHEUS_UID = 'prometheus';

/** One PromQL target; `exemplar` asks Grafana to fetch the exemplars of the series it reads. */
export interface Query {
  readonly refId: string;
  readonly expr: string;
  readonly legend: string;
  readonly exemplar?: boolean;
  readonly instant?: boolean;
}

/** A threshold step: the colour from `value` up (`null` is the base step). */
export interface Step {
  readonly value: number | null;
  readonly color: string;
}

/** What every panel must say about itself. */
export interface PanelSpec {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  readonly width: number;
  readonly height?: number;
  readonly steps?: readonly Step[];
  /** Alerts whose runbooks the panel links to (see alerts.ts). */
  readonly alerts?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
}

function target(q: Query): DataqueryBuilder {
  const b = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(q.refId)
    .expr(q.expr)
    .legendFormat(q.legend);
  if (q.exemplar) b.exemplar(true);
  return q.instant ? b.instant() : b.range();
}

function thresholds(steps: readonly Step[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map((s) => ({ value: s.value, color: s.color })));
}

const BASE: readonly Step[] = [{ value: null, color: 'green' }];

/** Green below `warn`, orange from it, red from `critical` (both optional). */
export function above(warn: number, critical?: number): Step[] {
  const steps: Step[] = [
    { value: null, color: 'green' },
    { value: warn, color: 'orange' },
  ];
  if (critical !== undefined) steps.push({ value: critical, color: 'red' });
  return steps;
}

/** Green until an alert's threshold, red from it. */
export function limit(value: number): Step[] {
  return [
    { value: null, color: 'green' },
    { value, color: 'red' },
  ];
}

/** Red below `critical`, orange below `warn`, green from `warn` up. */
export function below(critical: number, warn?: number): Step[] {
  const steps: Step[] = [
    { value: null, color: 'red' },
    { value: critical, color: warn === undefined ? 'green' : 'orange' },
  ];
  if (warn !== undefined) steps.push({ value: warn, color: 'green' });
  return steps;
}

interface CommonPanel {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: common.DataSourceRef): this;
  unit(unit: string): this;
  span(w: number): this;
  height(h: number): this;
  thresholds(t: cog.Builder<dashboard.ThresholdsConfig>): this;
  withTarget(t: cog.Builder<cog.Dataquery>): this;
  links(links: cog.Builder<dashboard.DashboardLink>[]): this;
  min(min: number): this;
  max(max: number): this;
  decimals(decimals: number): this;
}

function apply<T extends CommonPanel>(b: T, spec: PanelSpec, defaultHeight: number): T {
  b.id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.width)
    .height(spec.height ?? defaultHeight)
    .thresholds(thresholds(spec.steps ?? BASE));
  for (const q of spec.queries) b.withTarget(target(q));
  if (spec.min !== undefined) b.min(spec.min);
  if (spec.max !== undefined) b.max(spec.max);
  if (spec.decimals !== undefined) b.decimals(spec.decimals);
  const links = (spec.alerts ?? []).flatMap((alert) => {
    const url = runbookUrl(alert);
    return url
      ? [
          new dashboard.DashboardLinkBuilder(`Runbook: ${alert}`)
            .type(dashboard.DashboardLinkType.Link)
            .url(url)
            .targetBlank(true),
        ]
      : [];
  });
  if (links.length > 0) b.links(links);
  return b;
}

function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Bottom)
    .calcs(['lastNotNull', 'max']);
}

/** A time series with a table legend (last, max), drawn with the thresholds as dashed lines. */
export function timeSeries(
  spec: PanelSpec & { stack?: boolean; hideRefIds?: readonly string[] },
): timeseries.PanelBuilder {
  const b = apply(new timeseries.PanelBuilder(), spec, 8)
    .legend(legend())
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .lineWidth(1)
    .fillOpacity(spec.stack ? 30 : 10)
    .showPoints(common.VisibilityMode.Never)
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(
        spec.steps ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off,
      ),
    );
  if (spec.stack) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  // A query that only carries exemplars keeps its dots but hides its line (see README).
  for (const refId of spec.hideRefIds ?? []) {
    b.overrideByQuery(refId, [
      { id: 'custom.hideFrom', value: { legend: true, tooltip: true, viz: true } },
    ]);
  }
  return b;
}

/** A single big number (last value) with a sparkline, coloured by the thresholds. */
export function statPanel(spec: PanelSpec & { mappings?: dashboard.ValueMapping[] }) {
  const b = apply(new stat.PanelBuilder(), spec, 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Background)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(
      new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false).fields(''),
    );
  if (spec.mappings) b.mappings(spec.mappings);
  return b;
}

/** A table of instant values, one row per series. */
export function tablePanel(spec: PanelSpec) {
  return apply(new table.PanelBuilder(), spec, 8)
    .showHeader(true)
    .withTransformation({ id: 'labelsToFields', options: { mode: 'columns' } });
}

/** The `datasource` variable: any Prometheus, defaulting to the provisioned one. */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: PROMETHEUS_UID });
}

/** A multi-value `label_values(...)` variable that defaults to All (`.*`). */
export function labelVariable(
  name: string,
  label: string,
  query: string,
): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** A collapsed-by-default-false row that groups the panels after it. */
export function row(id: number, title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).id(id).collapsed(false);
}

/** Dashboard defaults: browser time zone, shared crosshair, 30 s refresh, last hour. */
export function base(options: {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  from?: string;
  refresh?: string;
}): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags(['ai-orchestrator', ...options.tags])
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: options.from ?? 'now-1h', to: 'now' })
    .refresh(options.refresh ?? '30s')
    .timepicker(
      new dashboard.TimePickerBuilder().refreshIntervals(['10s', '30s', '1m', '5m', '15m', '1h']),
    )
    .editable()
    .link(
      new dashboard.DashboardLinkBuilder('AI Orchestrator')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['ai-orchestrator'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .withVariable(datasourceVariable());
}
