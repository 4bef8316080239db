// validate-monitoring.sh against an HA stack on loopback: two Prometheus replicas (distinct
// `replica` labels) evaluating the repo's rules and sending to three gossiping Alertmanagers,
// whose heartbeat route posts to a local webhook. It passes only when every replica, every peer
// and the Watchdog's delivery check out, and names what is wrong otherwise.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  requireBinary,
  startAlertmanager,
  startPrometheus,
  type AlertmanagerServer,
  type PrometheusServer,
} from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFixtureExporter, type FixtureExporter } from './fixture-exporter.js';
import { SCRIPTS } from './paths.js';
import { fastRules, RULE_FILES } from './fast-rules.js';
import { run, until } from './run.js';
import { startAlertmanagerPeers, type Server } from './servers.js';

const prometheusBin = requireBinary('prometheus');
const alertmanagerBin = requireBinary('prometheus-alertmanager');

/** A heartbeat service: counts Watchdog deliveries; answers 500 while `failing`. */
class Heartbeat {
  deliveries = 0;
  failing = false;
  private server: HttpServer | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (!this.failing) this.deliveries += 1;
        res.statusCode = this.failing ? 500 : 200;
        res.end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ping`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

/** A replica's config: HA `replica` label, dropped from alerts, sending to `alertmanagers`. */
function replicaConfig(
  replica: string,
  alertmanagers: Server[],
  exporter: FixtureExporter,
): string {
  return stringify({
    global: {
      scrape_interval: '1s',
      evaluation_interval: '1s',
      external_labels: { monitor: 'ai-orchestrator', replica },
    },
    rule_files: RULE_FILES,
    alerting: {
      alert_relabel_configs: [{ action: 'labeldrop', regex: 'replica' }],
      alertmanagers: [
        { static_configs: [{ targets: alertmanagers.map((a) => a.url.replace('http://', '')) }] },
      ],
    },
    scrape_configs: [
      {
        job_name: exporter.service,
        static_configs: [{ targets: [exporter.target], labels: { service: exporter.service } }],
      },
    ],
  });
}

describe.skipIf(!prometheusBin || !alertmanagerBin)('validate-monitoring.sh on an HA stack', () => {
  const heartbeat = new Heartbeat();
  let exporter: FixtureExporter;
  let peers: Server[] = [];
  const replicas: PrometheusServer[] = [];
  const extra: (Server | AlertmanagerServer)[] = [];

  const validate = (args: string[]) =>
    run('bash', [
      join(SCRIPTS, 'validate-monitoring.sh'),
      ...replicas.flatMap((p) => ['--prometheus', p.url]),
      '--grafana',
      'none',
      '--jaeger',
      'none',
      ...args,
    ]);
  const allPeers = () => peers.flatMap((a) => ['--alertmanager', a.url]);
  const status = async (a: { url: string }) =>
    (
      (await (await fetch(`${a.url}/api/v2/status`)).json()) as {
        cluster: { status: string; peers: unknown[] };
      }
    ).cluster;

  beforeAll(async () => {
    await heartbeat.start();
    // The heartbeat route of alertmanager.yml, with the 1m intervals cut to a second.
    const config = stringify({
      route: {
        receiver: 'nobody',
        routes: [
          {
            receiver: 'heartbeat',
            matchers: ['alertname="Watchdog"'],
            group_wait: '0s',
            group_interval: '1s',
            repeat_interval: '1s',
          },
        ],
      },
      receivers: [
        { name: 'nobody' },
        { name: 'heartbeat', webhook_configs: [{ url: heartbeat.url, send_resolved: false }] },
      ],
    });
    peers = await startAlertmanagerPeers(alertmanagerBin as string, config, 3);
    exporter = await startFixtureExporter({ service: 'demo-gateway' });
    for (const replica of ['prometheus-0', 'prometheus-1']) {
      replicas.push(
        await startPrometheus(
          prometheusBin as string,
          replicaConfig(replica, peers, exporter),
          fastRules(),
          ['--rules.alert.resend-delay=1s'],
        ),
      );
    }
    await until(
      'three settled peers and Watchdog deliveries',
      async () => {
        const clusters = await Promise.all(peers.map(status));
        return (
          clusters.every((c) => c.status === 'ready' && c.peers.length === 3) &&
          heartbeat.deliveries > 2
        );
      },
      90_000,
    );
  });

  afterAll(async () => {
    await Promise.all([...replicas, ...peers, ...extra].map((s) => s.stop()));
    await exporter?.stop();
    await heartbeat.stop();
  });

  it('passes when both replicas fire Watchdog into all three peers and it is delivered', async () => {
    const result = await validate([
      ...allPeers(),
      '--alertmanager-peers',
      '3',
      '--delivery-wait',
      '4',
    ]);
    for (const p of replicas) {
      expect(result.stdout).toContain(`✓ ${p.url}: rules loaded and healthy`);
      expect(result.stdout).toContain(`✓ ${p.url}: sends alerts to 3 Alertmanager(s)`);
      expect(result.stdout).toContain(`✓ ${p.url}: Watchdog firing`);
      for (const a of peers) {
        expect(result.stdout).toMatch(
          new RegExp(`^✓ ${p.url}: sent \\d+ alerts to ${a.url}/api/v2/alerts in 4s$`, 'm'),
        );
      }
    }
    for (const a of peers) {
      expect(result.stdout).toContain(`✓ ${a.url}: cluster ready (3 peers, expected 3)`);
      expect(result.stdout).toContain(`✓ ${a.url}: Watchdog active, routed to heartbeat`);
    }
    expect(result.stdout).toMatch(
      /^✓ Watchdog delivered to receiver heartbeat \(\d+ webhook requests in 4s, none failed\)$/m,
    );
    expect(result.stdout).toMatch(/^\d+ passed, 0 failed, 2 skipped$/m);
    expect(result.code, result.stdout).toBe(0);
  });

  it('fails a cluster of another size than expected, and says so for every replica and peer', async () => {
    const result = await validate([
      ...allPeers(),
      '--alertmanager-peers',
      '4',
      '--delivery-wait',
      '0',
    ]);
    for (const a of peers)
      expect(result.stdout).toContain(`✗ ${a.url}: cluster ready with 3 peers, expected 4`);
    for (const p of replicas)
      expect(result.stdout).toContain(`✗ ${p.url}: sends alerts to 3 Alertmanager(s), expected 4`);
    expect(result.code).toBe(1);
  });

  it('fails one replica that sends to fewer Alertmanagers, while the other passes', async () => {
    const [good, bad] = replicas as [PrometheusServer, PrometheusServer];
    const reload = async (targets: Server[]) => {
      writeFileSync(
        join(bad.dir, 'prometheus.yml'),
        replicaConfig('prometheus-1', targets, exporter),
      );
      expect((await fetch(`${bad.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    };
    await reload(peers.slice(0, 2));
    try {
      await until('the second replica to see two Alertmanagers', async () => {
        const res = (await (await fetch(`${bad.url}/api/v1/alertmanagers`)).json()) as {
          data: { activeAlertmanagers: unknown[] };
        };
        return res.data.activeAlertmanagers.length === 2;
      });
      const result = await validate([...allPeers(), '--delivery-wait', '0']);
      expect(result.stdout).toContain(`✓ ${good.url}: sends alerts to 3 Alertmanager(s)`);
      expect(result.stdout).toContain(
        `✗ ${bad.url}: sends alerts to 2 Alertmanager(s), expected 3`,
      );
      expect(result.code).toBe(1);
    } finally {
      await reload(peers);
      await until('the second replica to see three Alertmanagers again', async () => {
        const res = (await (await fetch(`${bad.url}/api/v1/alertmanagers`)).json()) as {
          data: { activeAlertmanagers: unknown[] };
        };
        return res.data.activeAlertmanagers.length === 3;
      });
    }
  });

  it('skips the delivery proof when it cannot see every peer, never passes it', async () => {
    const first = peers[0] as Server;
    const result = await validate([
      '--alertmanager',
      first.url,
      '--alertmanager-peers',
      '3',
      '--delivery-wait',
      '2',
    ]);
    expect(result.stdout).toContain(`✓ ${first.url}: cluster ready (3 peers, expected 3)`);
    expect(result.stdout).toContain(
      "- Watchdog delivered to receiver heartbeat (skipped: give every Alertmanager peer's URL (1 of 3))",
    );
    expect(result.code, result.stdout).toBe(0);
  });

  it('fails when the heartbeat receiver rejects the Watchdog', async () => {
    heartbeat.failing = true;
    try {
      const result = await validate([...allPeers(), '--delivery-wait', '4']);
      expect(result.stdout).toMatch(
        /^✗ Watchdog delivered to receiver heartbeat: \d+ of \d+ webhook requests failed in 4s$/m,
      );
      expect(result.code, result.stdout).toBe(1);
    } finally {
      heartbeat.failing = false;
    }
  });

  it('fails when the Watchdog is silenced', async () => {
    const first = peers[0] as Server;
    const res = await fetch(`${first.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'Watchdog', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'test',
        comment: 'muting the heartbeat',
      }),
    });
    const { silenceID } = (await res.json()) as { silenceID: string };
    try {
      // The silence gossips to every peer.
      await until('the silence on every peer', async () => {
        const states = await Promise.all(
          peers.map(async (a) => {
            const alerts = (await (
              await fetch(`${a.url}/api/v2/alerts?filter=alertname%3D%22Watchdog%22`)
            ).json()) as { status: { state: string } }[];
            return alerts[0]?.status.state;
          }),
        );
        return states.every((s) => s === 'suppressed');
      });
      const result = await validate([...allPeers(), '--delivery-wait', '0']);
      for (const a of peers) {
        expect(result.stdout).toContain(
          `✗ ${a.url}: Watchdog suppressed (silenced or inhibited: the heartbeat service will page)`,
        );
      }
      expect(result.code).toBe(1);
    } finally {
      await fetch(`${first.url}/api/v2/silence/${silenceID}`, { method: 'DELETE' });
    }
  });

  it('fails a lone Alertmanager where three are expected', async () => {
    const config = 'route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n';
    const lone = await startAlertmanager(alertmanagerBin as string, config);
    extra.push(lone);
    await until(
      'the lone Alertmanager to settle',
      async () => (await status(lone)).status === 'ready',
    );
    const result = await validate([
      '--alertmanager',
      lone.url,
      '--alertmanager-peers',
      '3',
      '--delivery-wait',
      '0',
    ]);
    expect(result.stdout).toContain(`✗ ${lone.url}: cluster ready with 1 peers, expected 3`);
    expect(result.code).toBe(1);
  });

  it('fails an Alertmanager still settling', async () => {
    const config = 'route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n';
    // A gossip interval of 10 s keeps a new peer settling for its whole 60 s settle timeout.
    const [fresh] = (await startAlertmanagerPeers(alertmanagerBin as string, config, 1, [
      '--cluster.gossip-interval=10s',
    ])) as [Server];
    extra.push(fresh);
    const result = await validate(['--alertmanager', fresh.url, '--delivery-wait', '0']);
    expect(result.stdout).toContain(
      `✗ ${fresh.url}: cluster settling (still exchanging state with its peers; re-run in a minute)`,
    );
    expect(result.code).toBe(1);
  });

  it('rejects a peer count that is not a number, naming the flag', async () => {
    const result = await validate(['--alertmanager-peers', 'three']);
    expect(result.stderr).toContain("--alertmanager-peers must be a whole number, got 'three'");
    expect(result.code).toBe(2);
  });
});
