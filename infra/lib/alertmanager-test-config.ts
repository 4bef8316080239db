// A test copy of alertmanager.yml: the same routing tree, inhibitions and time intervals, but
// every receiver is a webhook on a local URL (Slack, PagerDuty and SMTP cannot be reached from
// a test), no secret files, and group waits cut to a second so a test does not wait minutes.
import { parse, stringify } from 'yaml';

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
  [key: string]: unknown;
}

interface AlertmanagerConfig {
  global?: Record<string, unknown>;
  templates?: string[];
  route: Route;
  receivers: { name: string }[];
  time_intervals?: unknown[];
  [key: string]: unknown;
}

function shorten(route: Route): Route {
  const copy: Route = { ...route };
  if (copy.group_wait !== undefined && copy.group_wait !== '0s') copy.group_wait = '1s';
  if (copy.group_interval !== undefined) copy.group_interval = '1s';
  if (copy.routes) copy.routes = copy.routes.map(shorten);
  return copy;
}

/**
 * The test copy of an Alertmanager config; each receiver posts to `${webhookBase}/<name>`.
 * `timeIntervals` replaces the time_intervals block when given.
 *
 * @example
 * const yaml = alertmanagerTestCopy(readFileSync('infra/alertmanager/alertmanager.yml', 'utf8'), 'http://127.0.0.1:9999');
 */
export function alertmanagerTestCopy(
  configText: string,
  webhookBase: string,
  timeIntervals?: unknown[],
): string {
  const config = parse(configText) as AlertmanagerConfig;
  const root = shorten(config.route);
  root.group_wait = '1s';
  root.group_interval = '1s';
  const copy: AlertmanagerConfig = {
    ...config,
    global: { resolve_timeout: config.global?.resolve_timeout ?? '5m' },
    route: root,
    receivers: config.receivers.map((r) => ({
      name: r.name,
      webhook_configs: [{ url: `${webhookBase}/${r.name}`, send_resolved: false }],
    })),
  };
  delete copy.templates;
  if (timeIntervals) copy.time_intervals = timeIntervals;
  return stringify(copy);
}

/**
 * The weekly maintenance window (Sunday 02:00-04:00 UTC) moved to Wednesday when a test runs
 * inside it, so P1/P2 deliveries stay deterministic; undefined (keep the real one) otherwise.
 * Pass it as alertmanagerTestCopy's `timeIntervals`.
 *
 * @example
 * alertmanagerTestCopy(text, webhook.url, liveTimeIntervals());
 */
export function liveTimeIntervals(now = new Date()): unknown[] | undefined {
  const inWindow = now.getUTCDay() === 0 && now.getUTCHours() >= 2 && now.getUTCHours() < 4;
  if (!inWindow) return undefined;
  return [
    {
      name: 'weekly-maintenance',
      time_intervals: [
        {
          weekdays: ['wednesday'],
          times: [{ start_time: '02:00', end_time: '04:00' }],
          location: 'UTC',
        },
      ],
    },
  ];
}
