// Who must get an alert, by the priority label every rule sets (DESIGN.md: P0 pages within 5
// minutes, P1 within 15, P2 within the hour); Watchdog goes only to the heartbeat. The routing
// tests check alertmanager.yml, and the Operator's AlertmanagerConfig made from it, against this.

const BY_PRIORITY: Record<string, readonly string[]> = {
  P0: ['automation-webhook', 'pagerduty-critical', 'slack-incidents'],
  P1: ['automation-webhook', 'slack-alerts', 'email-oncall'],
  P2: ['automation-webhook', 'slack-business', 'email-digest'],
};

/**
 * The receivers of alertmanager.yml an alert with these labels must reach, in routing-tree order.
 * Throws a TypeError naming the priority when it is none of P0, P1, P2.
 *
 * @example
 * receiversByPriority({ alertname: 'ServiceDown', priority: 'P0' });
 * // ['automation-webhook', 'pagerduty-critical', 'slack-incidents']
 */
export function receiversByPriority(labels: Record<string, string>): readonly string[] {
  if (labels.alertname === 'Watchdog') return ['heartbeat'];
  const receivers = BY_PRIORITY[labels.priority ?? ''];
  if (!receivers) {
    throw new TypeError(
      `priority: ${JSON.stringify(labels.priority)} of ${labels.alertname} is not one of P0, P1, P2`,
    );
  }
  return receivers;
}
