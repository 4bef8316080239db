// Alerting that survives a lost machine, live: two Prometheus replicas of the production config
// (distinct `replica` external labels, dropped from alerts by its alert_relabel_configs) evaluate
// the repo's rules and send every alert to all three Alertmanager peers, which gossip on loopback
// and route with a test copy of alertmanager.yml (receivers are webhooks on a local server).
//
// The dedup this relies on: both replicas' alerts carry the same labels, so each peer holds ONE
// alert, not two; each peer's notification pipeline waits `position × --cluster.peer-timeout`
// (position 0 sends at once) and then consults the notification log, which the peers gossip, so
// a group already notified by a peer ahead of it is not notified again. A silence is gossiped the
// same way. The peer timeout is cut from 15 s to 5 s here: less time for gossip is the harder case.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  requireBinary,
  startAlertmanagerCluster,
  startPrometheus,
  type AlertmanagerCluster,
  type AlertmanagerServer,
  type PrometheusServer,
} from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerTestCopy, liveTimeIntervals } from '../lib/alertmanager-test-config.js';
import { receiversByPriority } from '../lib/routing.js';
import { alertRules, loadRuleGroups } from '../lib/rules.js';
import { Webhook, type Delivery } from '../lib/webhook.js';
import { fastRules } from './fast-rules.js';
import { startFixtureExporter, type FixtureExporter } from './fixture-exporter.js';
import { replicaConfig } from './ha-stack.js';
import { INFRA, read } from './paths.js';
import { until } from './run.js';

const prometheusBin = requireBinary('prometheus');
const alertmanagerBin = requireBinary('prometheus-alertmanager');

const PEER_TIMEOUT_S = 5;
/** Long enough for the last of three peers (position 2) to have sent a duplicate, if it would. */
const QUIET_MS = (2 * PEER_TIMEOUT_S + 5) * 1000;
const SERVICES = ['demo-gateway', 'demo-billing', 'demo-engine'] as const;
type Service = (typeof SERVICES)[number];

const highErrorRate = alertRules(loadRuleGroups()).find((r) => r.alert === 'HighErrorRate');
const RECEIVERS = [
  ...receiversByPriority({ alertname: 'HighErrorRate', ...highErrorRate?.labels }),
];

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[] };
}

/** Notifications of one aggregation group at one receiver. */
const groupOf = (d: Delivery): string => `${d.receiver} ${d.groupKey}`;
/** The firing alerts of a notification, by their labels: what the notification log compares. */
const firingSet = (d: Delivery): string =>
  JSON.stringify(
    d.alerts
      .filter((a) => a.status === 'firing')
      .map((a) => JSON.stringify(Object.entries(a.labels).sort()))
      .sort(),
  );

/** Alertmanager's own count of webhook notifications it sent. */
async function sentBy(peer: AlertmanagerServer): Promise<number> {
  const text = await (await fetch(`${peer.url}/metrics`)).text();
  return [
    ...text.matchAll(
      /^alertmanager_notifications_total\{[^}]*integration="webhook"[^}]*\} (\S+)$/gm,
    ),
  ]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
}

async function alertsOn(
  peer: AlertmanagerServer,
  labels: Record<string, string>,
): Promise<AmAlert[]> {
  const filter = Object.entries(labels).map(([k, v]): [string, string] => [
    'filter',
    `${k}="${v}"`,
  ]);
  const res = await fetch(`${peer.url}/api/v2/alerts?${new URLSearchParams(filter).toString()}`);
  return (await res.json()) as AmAlert[];
}

describe.skipIf(!prometheusBin || !alertmanagerBin)(
  'HA alerting: two replicas, three peers',
  () => {
    const webhook = new Webhook();
    let cluster: AlertmanagerCluster;
    const exporters = new Map<Service, FixtureExporter>();
    const replicas: PrometheusServer[] = [];
    let leader: AlertmanagerServer;
    let silencedAt = Infinity;

    const notified = (alertname: string, service: Service): Delivery[] =>
      webhook.deliveries.filter(
        (d) => d.groupLabels.alertname === alertname && d.groupLabels.service === service,
      );
    const live = (): AlertmanagerServer[] =>
      cluster.peers.filter((p) => p.process.child.exitCode === null && !p.process.child.signalCode);

    /** Injects the error spike; waits until each receiver of HighErrorRate got the group, then
     * for as long as a late duplicate could take. */
    async function spike(service: Service): Promise<void> {
      exporters.get(service)?.setErrorRatio(0.5);
      await webhook.until(() => {
        const at = new Set(notified('HighErrorRate', service).map((d) => d.receiver));
        return RECEIVERS.every((r) => at.has(r));
      }, 90_000);
      await sleep(QUIET_MS);
    }

    /** Notifications since the silence that carry a firing alert of the silenced service. */
    const silencedNotified = (): Delivery[] =>
      webhook.deliveries.filter(
        (d) =>
          d.at >= silencedAt &&
          d.alerts.some((a) => a.status === 'firing' && a.labels.service === 'demo-billing'),
      );

    /** The HighErrorRate alerts of `service` each live peer holds. */
    const held = (service: Service): Promise<AmAlert[][]> =>
      Promise.all(live().map((p) => alertsOn(p, { alertname: 'HighErrorRate', service })));

    /** No group was notified twice with the same firing alerts (the heartbeat: once a minute). */
    function expectNoDuplicates(): void {
      const seen = new Map<string, Delivery>();
      const duplicates: string[] = [];
      for (const d of webhook.deliveries) {
        const key = `${groupOf(d)} ${firingSet(d)}`;
        const before = seen.get(key);
        // The heartbeat route repeats every minute by design (repeat_interval 1m).
        const repeat = d.receiver === 'heartbeat' && before && d.at - before.at >= 55_000;
        if (before && !repeat) duplicates.push(`${groupOf(d)} after ${d.at - before.at} ms`);
        seen.set(key, d);
      }
      expect(duplicates).toEqual([]);
    }

    beforeAll(async () => {
      await webhook.start();
      const config = alertmanagerTestCopy(
        read(join(INFRA, 'alertmanager/alertmanager.yml')),
        webhook.url,
        liveTimeIntervals(),
      );
      cluster = await startAlertmanagerCluster(alertmanagerBin as string, config, {
        args: [`--cluster.peer-timeout=${PEER_TIMEOUT_S}s`],
      });
      for (const service of SERVICES)
        exporters.set(service, await startFixtureExporter({ service }));
      const targets = [...exporters.values()].map((e) => ({
        service: e.service,
        target: e.target,
      }));
      for (const replica of ['prometheus-0', 'prometheus-1']) {
        const alertmanagers = cluster.peers.map((p) => p.url);
        replicas.push(
          await startPrometheus(
            prometheusBin as string,
            replicaConfig({ replica, alertmanagers, targets }),
            fastRules({ HighErrorRate: '2s' }),
            ['--rules.alert.resend-delay=1s'],
          ),
        );
      }
      // Both replicas have request rates for every service before any error is injected.
      await until(
        'request rates of every service on both replicas',
        async () => {
          const counts = await Promise.all(
            replicas.map(
              async (p) =>
                (
                  await p.api<{ result: unknown[] }>('query', {
                    query: 'service:http_server_requests:rate5m',
                  })
                ).result.length,
            ),
          );
          return counts.every((n) => n === SERVICES.length);
        },
        60_000,
      );
    }, 120_000);

    afterAll(async () => {
      await Promise.all(replicas.map((p) => p.stop()));
      await cluster?.stop();
      await Promise.all([...exporters.values()].map((e) => e.stop()));
      await webhook.stop();
    });

    it('an error spike reaches each receiver of its group once, sent by one peer', async () => {
      await spike('demo-gateway');
      // Both replicas fire it...
      for (const p of replicas) {
        const firing = await p.api<{ result: unknown[] }>('query', {
          query: 'ALERTS{alertname="HighErrorRate", alertstate="firing", service="demo-gateway"}',
        });
        expect(firing.result, p.url).toHaveLength(1);
      }
      // ...and every peer holds it as one alert, without the replica label.
      for (const alerts of await held('demo-gateway')) {
        expect(alerts.map((a) => a.labels.replica ?? 'no replica label')).toEqual([
          'no replica label',
        ]);
      }
      const deliveries = notified('HighErrorRate', 'demo-gateway');
      expect(deliveries.map((d) => d.receiver).sort()).toEqual([...RECEIVERS].sort());
      for (const d of deliveries) expect(d.alerts, d.receiver).toHaveLength(1);
      expectNoDuplicates();
      const sent = await Promise.all(cluster.peers.map(sentBy));
      expect(
        sent.filter((n) => n > 0),
        `notifications sent per peer: ${sent.join(', ')}`,
      ).toHaveLength(1);
      leader = cluster.peers[sent.findIndex((n) => n > 0)] as AlertmanagerServer;
    }, 150_000);

    it('a silence made on one peer holds on every peer: no notification for its group', async () => {
      const follower = cluster.peers.find((p) => p !== leader) as AlertmanagerServer;
      const res = await fetch(`${follower.url}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [{ name: 'service', value: 'demo-billing', isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'ha-alerting.test.ts',
          comment: 'planned work on demo-billing',
        }),
      });
      expect(res.status).toBe(200);
      const { silenceID } = (await res.json()) as { silenceID: string };
      silencedAt = Date.now();
      await until('the silence to reach every peer by gossip', async () => {
        const states = await Promise.all(
          cluster.peers.map(async (p) => {
            const r = await fetch(`${p.url}/api/v2/silence/${silenceID}`);
            return r.ok
              ? ((await r.json()) as { status: { state: string } }).status.state
              : 'missing';
          }),
        );
        return states.every((s) => s === 'active');
      });
      exporters.get('demo-billing')?.setErrorRatio(0.5);
      await until(
        'every peer to hold the demo-billing alert',
        async () => (await held('demo-billing')).every((alerts) => alerts.length === 1),
        90_000,
      );
      await sleep(QUIET_MS);
      for (const alerts of await held('demo-billing')) {
        expect(alerts[0]?.status).toMatchObject({ state: 'suppressed', silencedBy: [silenceID] });
      }
      expect(silencedNotified()).toEqual([]);
    }, 150_000);

    it('with the sending peer killed, the next one notifies a new group once, and no old one again', async () => {
      const before = new Map(cluster.peers.map((p) => [p, 0]));
      for (const p of live()) before.set(p, await sentBy(p));
      await leader.process.stop('SIGKILL'); // a lost machine: no goodbye to the cluster
      await spike('demo-engine');
      const deliveries = notified('HighErrorRate', 'demo-engine');
      expect(deliveries.map((d) => d.receiver).sort()).toEqual([...RECEIVERS].sort());
      // The survivors had the gateway's and the silence's state by gossip: nothing re-sent.
      expect(notified('HighErrorRate', 'demo-gateway')).toHaveLength(RECEIVERS.length);
      expect(silencedNotified()).toEqual([]);
      expectNoDuplicates();
      const survivors = live();
      expect(survivors).toHaveLength(2);
      const sentSince = await Promise.all(
        survivors.map(async (p) => (await sentBy(p)) - (before.get(p) ?? 0)),
      );
      expect(
        sentSince.filter((n) => n > 0),
        `sent since the kill: ${sentSince.join(', ')}`,
      ).toHaveLength(1);
    }, 150_000);
  },
);
