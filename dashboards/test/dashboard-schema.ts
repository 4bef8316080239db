// JSON Schema of the classic Grafana dashboard model (the `dashboard.Dashboard`, `Panel`,
// `RowPanel` and `VariableModel` types of @grafana/grafana-foundation-sdk, dashboard/types.gen.d.ts),
// strict about the fields file provisioning and the panels rely on.

const datasourceRef = {
  type: 'object',
  required: ['type', 'uid'],
  properties: { type: { type: 'string', minLength: 1 }, uid: { type: 'string', minLength: 1 } },
  additionalProperties: false,
} as const;

const gridPos = {
  type: 'object',
  required: ['h', 'w', 'x', 'y'],
  properties: {
    h: { type: 'integer', minimum: 1 },
    w: { type: 'integer', minimum: 1, maximum: 24 },
    x: { type: 'integer', minimum: 0, maximum: 23 },
    y: { type: 'integer', minimum: 0 },
    static: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

const thresholds = {
  type: 'object',
  required: ['mode', 'steps'],
  properties: {
    mode: { enum: ['absolute', 'percentage'] },
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['color', 'value'],
        properties: { color: { type: 'string' }, value: { type: ['number', 'null'] } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

const link = {
  type: 'object',
  required: ['title', 'type', 'url'],
  properties: {
    title: { type: 'string', minLength: 1 },
    type: { enum: ['link', 'dashboards'] },
    url: { type: 'string', pattern: '^https?://' },
  },
} as const;

const target = {
  type: 'object',
  required: ['refId', 'expr', 'datasource', 'legendFormat'],
  properties: {
    refId: { type: 'string', pattern: '^[A-Z]$' },
    expr: { type: 'string', minLength: 1 },
    datasource: datasourceRef,
    legendFormat: { type: 'string', minLength: 1 },
    exemplar: { type: 'boolean' },
    instant: { type: 'boolean' },
    range: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

const panel = {
  type: 'object',
  required: [
    'type',
    'id',
    'title',
    'description',
    'datasource',
    'gridPos',
    'targets',
    'fieldConfig',
    'options',
  ],
  properties: {
    type: { enum: ['timeseries', 'stat', 'table', 'gauge', 'bargauge'] },
    id: { type: 'integer', minimum: 1 },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string', minLength: 10 },
    datasource: datasourceRef,
    gridPos,
    targets: { type: 'array', minItems: 1, items: target },
    links: { type: 'array', items: link },
    transformations: {
      type: 'array',
      items: { type: 'object', required: ['id', 'options'] },
    },
    fieldConfig: {
      type: 'object',
      required: ['defaults', 'overrides'],
      properties: {
        defaults: {
          type: 'object',
          required: ['unit', 'thresholds'],
          properties: { unit: { type: 'string', minLength: 1 }, thresholds },
        },
        overrides: {
          type: 'array',
          items: {
            type: 'object',
            required: ['matcher', 'properties'],
            properties: {
              matcher: {
                type: 'object',
                required: ['id', 'options'],
                properties: { id: { enum: ['byName', 'byRegexp', 'byFrameRefID', 'byType'] } },
              },
              properties: {
                type: 'array',
                items: { type: 'object', required: ['id', 'value'] },
              },
            },
          },
        },
      },
    },
    options: { type: 'object' },
    transparent: { type: 'boolean' },
    repeatDirection: { enum: ['h', 'v'] },
  },
  additionalProperties: false,
} as const;

const rowPanel = {
  type: 'object',
  required: ['type', 'id', 'title', 'collapsed', 'gridPos', 'panels'],
  properties: {
    type: { const: 'row' },
    id: { type: 'integer', minimum: 1 },
    title: { type: 'string', minLength: 1 },
    collapsed: { const: false },
    gridPos,
    // An expanded row lists its panels after itself, not inside.
    panels: { type: 'array', maxItems: 0 },
  },
  additionalProperties: false,
} as const;

const variable = {
  type: 'object',
  required: ['name', 'type', 'label'],
  properties: {
    name: { type: 'string', pattern: '^[a-z_]+$' },
    type: { enum: ['datasource', 'query'] },
    label: { type: 'string', minLength: 1 },
    query: {},
    datasource: datasourceRef,
    definition: { type: 'string' },
    current: { type: 'object', required: ['text', 'value'] },
    multi: { type: 'boolean' },
    includeAll: { type: 'boolean' },
    allValue: { type: 'string' },
    refresh: { enum: [0, 1, 2] },
    sort: { type: 'integer', minimum: 0, maximum: 8 },
  },
  if: { properties: { type: { const: 'query' } } },
  then: { required: ['query', 'datasource', 'definition', 'refresh'] },
} as const;

/** The schema every generated dashboard must satisfy. */
export const DASHBOARD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: [
    'uid',
    'title',
    'description',
    'tags',
    'time',
    'refresh',
    'timezone',
    'schemaVersion',
    'templating',
    'annotations',
    'panels',
  ],
  properties: {
    uid: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,40}$' },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string', minLength: 1 },
    tags: { type: 'array', minItems: 1, items: { type: 'string' }, uniqueItems: true },
    time: {
      type: 'object',
      required: ['from', 'to'],
      properties: { from: { type: 'string', pattern: '^now-' }, to: { const: 'now' } },
    },
    refresh: { type: 'string', pattern: '^[0-9]+[smh]$' },
    timezone: { type: 'string' },
    editable: { type: 'boolean' },
    graphTooltip: { enum: [0, 1, 2] },
    fiscalYearStartMonth: { type: 'integer' },
    schemaVersion: { type: 'integer', minimum: 36 },
    timepicker: { type: 'object' },
    links: { type: 'array', items: { type: 'object', required: ['title', 'type'] } },
    templating: {
      type: 'object',
      required: ['list'],
      properties: { list: { type: 'array', items: variable } },
    },
    annotations: { type: 'object' },
    panels: { type: 'array', minItems: 1, items: { oneOf: [panel, rowPanel] } },
  },
  additionalProperties: false,
} as const;
