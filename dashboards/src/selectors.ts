// The label filters that tie a panel's query to the dashboard's template variables, defined
// once for every dashboard: a panel says which variables it honours by the filter's name.

/** A label filtered by the variable of the same name, or a `[label, variable]` pair. */
export type Filter = string | readonly [label: string, variable: string];

/**
 * The matchers that keep what a multi-value variable selected: `label=~"$variable"` per filter,
 * comma-separated, to go inside a selector's braces (All is `.*`, see `labelVariable`).
 *
 * @example
 * matchers('service', ['instance', 'node']); // 'service=~"$service", instance=~"$node"'
 */
export function matchers(...filters: readonly Filter[]): string {
  return filters
    .map((f) => (typeof f === 'string' ? [f, f] : f))
    .map(([label, variable]) => `${label}=~"$${variable}"`)
    .join(', ');
}

/** The filters panels use, named by the variables they apply. */
export const FILTER = {
  service: matchers('service'),
  serviceInstance: matchers('service', 'instance'),
  serviceRoute: matchers('service', ['http_route', 'route']),
  serviceRouteInstance: matchers('service', ['http_route', 'route'], 'instance'),
  /** Hosts: node-exporter's `instance`, picked in the `node` variable. */
  node: matchers(['instance', 'node']),
  serviceWorkflow: matchers('service', 'workflow_name'),
  serviceWorkflowEngine: matchers('service', 'workflow_name', 'engine_type'),
  serviceWorkflowEngineInstance: matchers('service', 'workflow_name', 'engine_type', 'instance'),
  serviceEngine: matchers('service', 'engine_type'),
  serviceEngineInstance: matchers('service', 'engine_type', 'instance'),
  /** AI engines: provider and model picked in the `provider` and `model` variables. */
  serviceProvider: matchers('service', ['gen_ai_provider_name', 'provider']),
  serviceProviderModel: matchers(
    'service',
    ['gen_ai_provider_name', 'provider'],
    ['gen_ai_request_model', 'model'],
  ),
  serviceProviderModelInstance: matchers(
    'service',
    ['gen_ai_provider_name', 'provider'],
    ['gen_ai_request_model', 'model'],
    'instance',
  ),
  serviceProviderModelWorkflow: matchers(
    'service',
    ['gen_ai_provider_name', 'provider'],
    ['gen_ai_request_model', 'model'],
    'workflow_name',
  ),
  slo: matchers('slo'),
  serviceSlo: matchers('service', 'slo'),
} as const;
