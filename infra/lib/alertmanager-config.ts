// alertmanager.yml as a Prometheus Operator AlertmanagerConfig (monitoring.coreos.com/v1alpha1):
// the same routes, receivers, inhibitions and time intervals, with every `*_file` credential under
// /etc/alertmanager/secrets/<key> turned into a reference to key <key> of one Kubernetes Secret
// (the same Secret the kustomize path mounts). A field the Operator cannot express throws, so
// nothing of alertmanager.yml is dropped silently.
import { parse } from 'yaml';

type Doc = Record<string, unknown>;
export interface SecretRef {
  readonly name: string;
  readonly key: string;
}
export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly matchType: '=' | '!=' | '=~' | '!~';
}

const SECRETS_DIR = '/etc/alertmanager/secrets/';

function fail(field: string, value: unknown, expected: string): never {
  throw new TypeError(
    `alertmanager.yml: ${field} is ${JSON.stringify(value)}; expected ${expected}`,
  );
}

/** Throws when `doc` has a key the conversion does not know, so none is lost on the way. */
function only(doc: Doc, keys: readonly string[], where: string): void {
  for (const key of Object.keys(doc)) {
    if (!keys.includes(key)) fail(`${where}.${key}`, doc[key], `one of ${keys.join(', ')}`);
  }
}

/** `priority=~"P0|P1"` -> { name: 'priority', value: 'P0|P1', matchType: '=~' }. */
export function parseMatcher(text: string, where = 'matcher'): Matcher {
  const m =
    /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))\s*$/.exec(
      text,
    );
  if (!m) return fail(where, text, 'a matcher such as alertname="Watchdog"');
  const value = m[3] !== undefined ? (JSON.parse(`"${m[3]}"`) as string) : (m[4] as string);
  return { name: m[1] as string, value, matchType: m[2] as Matcher['matchType'] };
}

/** A credential file under /etc/alertmanager/secrets/ as a key of the Secret. */
function secretRef(path: unknown, where: string, secret: string): SecretRef {
  if (typeof path !== 'string' || !path.startsWith(SECRETS_DIR)) {
    return fail(where, path, `a file under ${SECRETS_DIR}`);
  }
  return { name: secret, key: path.slice(SECRETS_DIR.length) };
}

const ROUTE_KEYS = [
  'receiver',
  'matchers',
  'group_by',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'continue',
  'mute_time_intervals',
  'active_time_intervals',
  'routes',
];

function route(r: Doc, where: string): Doc {
  only(r, ROUTE_KEYS, where);
  const out: Doc = {
    receiver: r.receiver,
    groupBy: r.group_by,
    groupWait: r.group_wait,
    groupInterval: r.group_interval,
    repeatInterval: r.repeat_interval,
    continue: r.continue,
    muteTimeIntervals: r.mute_time_intervals,
    activeTimeIntervals: r.active_time_intervals,
    matchers: (r.matchers as string[] | undefined)?.map((m, i) =>
      parseMatcher(m, `${where}.matchers[${i}]`),
    ),
    routes: (r.routes as Doc[] | undefined)?.map((child, i) =>
      route(child, `${where}.routes[${i}]`),
    ),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

const keyValues = (map: unknown): { key: string; value: string }[] | undefined =>
  map === undefined
    ? undefined
    : Object.entries(map as Record<string, string>).map(([key, value]) => ({ key, value }));

/** `url_file` becomes `urlSecret` (a SecretKeySelector the Operator reads into `url`). */
function webhookUrl(c: Doc, where: string, secret: string): Doc {
  if (c.url !== undefined && c.url_file !== undefined)
    fail(`${where}.url`, c.url, 'no value beside url_file (Alertmanager takes one of them)');
  if (c.url_file !== undefined)
    return { urlSecret: secretRef(c.url_file, `${where}.url_file`, secret) };
  if (c.url === undefined) fail(`${where}.url_file`, c.url_file, `a file under ${SECRETS_DIR}`);
  return { url: c.url };
}

function webhook(c: Doc, where: string, secret: string): Doc {
  only(c, ['url', 'url_file', 'send_resolved', 'max_alerts', 'http_config'], where);
  const http = (c.http_config ?? {}) as Doc;
  only(http, ['authorization'], `${where}.http_config`);
  const auth = http.authorization as Doc | undefined;
  if (auth) only(auth, ['credentials_file', 'type'], `${where}.http_config.authorization`);
  return {
    ...webhookUrl(c, where, secret),
    sendResolved: c.send_resolved,
    maxAlerts: c.max_alerts,
    ...(auth && {
      httpConfig: {
        authorization: {
          ...(auth.type !== undefined && { type: auth.type }),
          credentials: secretRef(
            auth.credentials_file,
            `${where}.http_config.authorization`,
            secret,
          ),
        },
      },
    }),
  };
}

function pagerduty(c: Doc, where: string, secret: string): Doc {
  only(
    c,
    ['routing_key_file', 'send_resolved', 'severity', 'description', 'links', 'details'],
    where,
  );
  return {
    routingKey: secretRef(c.routing_key_file, `${where}.routing_key_file`, secret),
    sendResolved: c.send_resolved,
    severity: c.severity,
    description: c.description,
    pagerDutyLinkConfigs: (c.links as Doc[] | undefined)?.map((l) => ({
      href: l.href,
      alt: l.text,
    })),
    details: keyValues(c.details),
  };
}

function slack(c: Doc, where: string, secret: string): Doc {
  only(
    c,
    ['api_url_file', 'channel', 'send_resolved', 'color', 'title', 'title_link', 'text'],
    where,
  );
  return {
    apiURL: secretRef(c.api_url_file, `${where}.api_url_file`, secret),
    channel: c.channel,
    sendResolved: c.send_resolved,
    color: c.color,
    title: c.title,
    titleLink: c.title_link,
    text: c.text,
  };
}

/** The Operator has no global SMTP block in v1alpha1: each e-mail receiver carries it. */
function email(c: Doc, where: string, secret: string, global: Doc): Doc {
  only(c, ['to', 'send_resolved', 'headers', 'html', 'text'], where);
  return {
    to: c.to,
    sendResolved: c.send_resolved,
    headers: keyValues(c.headers),
    html: c.html,
    text: c.text,
    smarthost: global.smtp_smarthost,
    from: global.smtp_from,
    authUsername: global.smtp_auth_username,
    ...(global.smtp_auth_password_file !== undefined && {
      authPassword: secretRef(
        global.smtp_auth_password_file,
        'global.smtp_auth_password_file',
        secret,
      ),
    }),
    requireTLS: global.smtp_require_tls,
  };
}

const compact = (d: Doc): Doc =>
  Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined));

function receiver(r: Doc, i: number, secret: string, global: Doc): Doc {
  const where = `receivers[${i}]`;
  only(
    r,
    ['name', 'webhook_configs', 'pagerduty_configs', 'slack_configs', 'email_configs'],
    where,
  );
  const each = (key: string, convert: (c: Doc, w: string) => Doc) =>
    (r[key] as Doc[] | undefined)?.map((c, j) => compact(convert(c, `${where}.${key}[${j}]`)));
  return compact({
    name: r.name,
    webhookConfigs: each('webhook_configs', (c, w) => webhook(c, w, secret)),
    pagerdutyConfigs: each('pagerduty_configs', (c, w) => pagerduty(c, w, secret)),
    slackConfigs: each('slack_configs', (c, w) => slack(c, w, secret)),
    emailConfigs: each('email_configs', (c, w) => email(c, w, secret, global)),
  });
}

function inhibitRule(r: Doc, i: number): Doc {
  const where = `inhibit_rules[${i}]`;
  only(r, ['source_matchers', 'target_matchers', 'equal'], where);
  const matchers = (key: string) =>
    ((r[key] ?? []) as string[]).map((m, j) => parseMatcher(m, `${where}.${key}[${j}]`));
  return {
    sourceMatch: matchers('source_matchers'),
    targetMatch: matchers('target_matchers'),
    equal: r.equal,
  };
}

/** v1alpha1 time intervals have no `location`: Alertmanager's default, UTC, is the only one allowed. */
function timeInterval(t: Doc, i: number): Doc {
  const where = `time_intervals[${i}]`;
  only(t, ['name', 'time_intervals'], where);
  return {
    name: t.name,
    timeIntervals: (t.time_intervals as Doc[]).map((ti, j) => {
      const w = `${where}.time_intervals[${j}]`;
      only(ti, ['weekdays', 'times', 'location'], w);
      if (ti.location !== undefined && ti.location !== 'UTC')
        fail(`${w}.location`, ti.location, '"UTC"');
      return compact({
        weekdays: ti.weekdays,
        times: (ti.times as Doc[] | undefined)?.map((t2) => ({
          startTime: t2.start_time,
          endTime: t2.end_time,
        })),
      });
    }),
  };
}

export interface AlertmanagerConfigOptions {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  /** The Secret holding one key per credential file (the kustomize path's `alertmanager-secrets`). */
  readonly secret?: string;
}

/**
 * The AlertmanagerConfig object for the text of alertmanager.yml.
 *
 * @example
 * alertmanagerConfig(readFileSync('infra/alertmanager/alertmanager.yml', 'utf8'), { namespace: 'monitoring' });
 */
export function alertmanagerConfig(
  configText: string,
  options: AlertmanagerConfigOptions = {},
): Doc {
  const config = parse(configText) as Doc;
  only(
    config,
    ['global', 'templates', 'route', 'receivers', 'time_intervals', 'inhibit_rules'],
    'config',
  );
  const global = (config.global ?? {}) as Doc;
  only(
    global,
    [
      'resolve_timeout',
      'smtp_smarthost',
      'smtp_from',
      'smtp_auth_username',
      'smtp_auth_password_file',
      'smtp_require_tls',
    ],
    'global',
  );
  const secret = options.secret ?? 'alertmanager-secrets';
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: {
      name: options.name ?? 'ai-orchestrator',
      namespace: options.namespace ?? 'monitoring',
      labels: { 'app.kubernetes.io/part-of': 'ai-orchestrator-monitoring', ...options.labels },
    },
    spec: {
      route: route(config.route as Doc, 'route'),
      receivers: (config.receivers as Doc[]).map((r, i) => receiver(r, i, secret, global)),
      inhibitRules: ((config.inhibit_rules ?? []) as Doc[]).map(inhibitRule),
      muteTimeIntervals: ((config.time_intervals ?? []) as Doc[]).map(timeInterval),
    },
  };
}
