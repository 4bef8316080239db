// Where an Alertmanager configuration would put a credential into git: a secret-bearing field
// given inline instead of through its `*_file` twin, or a `*_file` outside the mounted secrets.
// A webhook's URL counts: heartbeat and automation URLs carry their tokens in the path or query.

const SECRETS_DIR = '/etc/alertmanager/secrets/';

/** Fields whose value is a secret in any receiver or in `global`; each has a `*_file` form. */
const SECRET_FIELDS = new Set([
  'api_url',
  'bearer_token',
  'credentials',
  'password',
  'routing_key',
  'service_key',
  'slack_api_url',
  'smtp_auth_password',
  'webhook_url',
]);

/** `url` is a secret only where it addresses a webhook receiver (PagerDuty's is its public API). */
const SECRET_URL_IN = /(^|\.)webhook_configs\[\d+\]$/;

/**
 * The paths of every credential a parsed Alertmanager configuration holds inline, each with why.
 *
 * @example
 * inlineCredentials(parse('receivers: [{name: a, webhook_configs: [{url: "https://x"}]}]'));
 * // ['receivers[0].webhook_configs[0].url is inline; use url_file']
 */
export function inlineCredentials(config: unknown, path = ''): string[] {
  if (Array.isArray(config))
    return config.flatMap((item, i) => inlineCredentials(item, `${path}[${i}]`));
  if (config === null || typeof config !== 'object') return [];
  return Object.entries(config).flatMap(([key, value]) => {
    const at = path ? `${path}.${key}` : key;
    if (SECRET_FIELDS.has(key) || (key === 'url' && SECRET_URL_IN.test(path)))
      return [`${at} is inline; use ${key}_file`];
    if (key.endsWith('_file') && !(typeof value === 'string' && value.startsWith(SECRETS_DIR)))
      return [`${at} is ${JSON.stringify(value)}; expected a file under ${SECRETS_DIR}`];
    return inlineCredentials(value, at);
  });
}
