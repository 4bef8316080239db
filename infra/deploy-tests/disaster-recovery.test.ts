// infra/runbooks/disaster-recovery.md as an operator would run it: every command names a
// namespace, resource, container, port, path, volume, Secret key or flag that the rendered
// Kubernetes manifests, the compose file and the binaries really have.
import { join } from 'node:path';
import { requireBinary } from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { kustomize } from './kube.js';
import { INFRA, read } from './paths.js';
import { checkRunbook, runbookStack } from './runbook-commands.js';
import type { RunbookState } from './runbook-kubectl.js';
import { shellLines } from './runbook-shell.js';
import { KubeStack } from './runbook-stack.js';

const kubectl = requireBinary('kubectl');
const prometheus = requireBinary('prometheus');
const promtool = requireBinary('promtool');
const amtool = requireBinary('amtool');
const RUNBOOK = read(join(INFRA, 'runbooks', 'disaster-recovery.md'));

const newState = (): RunbookState => ({ forwards: new Map(), createdSecrets: new Map() });

describe.skipIf(!kubectl || !prometheus || !promtool || !amtool)('disaster-recovery.md', () => {
  const stack = runbookStack(kubectl as string, {
    prometheus: prometheus as string,
    promtool: promtool as string,
    amtool: amtool as string,
  });

  it('is mostly commands, each naming only what the stack has (runbooks.test.ts checks every runbook)', () => {
    expect(shellLines(RUNBOOK).length).toBeGreaterThan(40);
    expect(checkRunbook(RUNBOOK, stack)).toEqual([]);
  });

  it.each(['overlays/dev', 'overlays/production'])(
    're-creates every Secret %s reads, with every key it reads',
    (overlay) => {
      const state = newState();
      checkRunbook(RUNBOOK, stack, state);
      const wanted = new KubeStack(kustomize(kubectl as string, overlay)).secrets();
      expect(wanted.size).toBeGreaterThan(3);
      for (const [name, keys] of wanted) {
        const created = state.createdSecrets.get(name);
        expect(created, `no command creates Secret ${name}`).toBeDefined();
        for (const key of keys) expect([...(created ?? [])], `${name} key ${key}`).toContain(key);
      }
    },
  );

  it('covers volumes, the long-term store, silences, notification log, Grafana, Secrets, snapshots', () => {
    const headings = [...RUNBOOK.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(
      expect.arrayContaining([
        'TSDB snapshots and the admin API',
        'Loss of the Prometheus volumes',
        'Alertmanager: silences and notification log',
        "Grafana's database",
        'Re-creating the Secrets',
      ]),
    );
    for (const phrase of [
      'long-term store',
      'notification log',
      'port-forward',
      'monitoring-admin-denied',
    ])
      expect(RUNBOOK).toContain(phrase);
    // The Ingress the runbook relies on for the admin API's safety is in the manifests.
    expect(stack.kube.hasObject('monitoring', 'Ingress', 'monitoring-admin-denied')).toBe(true);
  });

  it.each([
    [
      'a container that does not exist',
      'kubectl -n monitoring exec pod/prometheus-0 -c prom -- rm -rf /prometheus/x',
    ],
    ['a pod past the replicas', 'kubectl -n monitoring delete pod/prometheus-2'],
    ['a claim that does not exist', 'kubectl -n monitoring delete pvc/prometheus-data-0'],
    ['a port no container has', 'kubectl -n monitoring port-forward pod/prometheus-0 9091:9091'],
    [
      'a path on no volume',
      'kubectl -n monitoring exec pod/prometheus-0 -c prometheus -- tar -C /data -cf - .',
    ],
    ['a namespace not rendered', 'kubectl -n observability get statefulset/prometheus'],
    [
      'a flag Prometheus lacks',
      `kubectl -n monitoring patch statefulset/prometheus --type json -p '[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--web.enable-admin"}]'`,
    ],
    [
      'an amtool flag that does not exist',
      'amtool --alertmanager.url=http://localhost:9093 silence query --format json',
    ],
    [
      'a compose volume mounted elsewhere',
      'docker run --rm -v ai-orchestrator-monitoring_prometheus-data:/data busybox:1.36.1 tar -C /data -cf /data/x .',
    ],
    [
      'a compose service that does not exist',
      'docker compose -f infra/compose/docker-compose.monitoring.yml stop vminsert',
    ],
    [
      'a Secret no manifest reads',
      'kubectl -n monitoring create secret generic slack --from-literal=url=x',
    ],
    ['a port nothing forwards', 'curl -s http://localhost:9999/api/v1/status/config'],
    ['a program no check knows', 'jq .data silences.json'],
  ])('fails %s', (_what, line) => {
    const problems = checkRunbook(`\`\`\`sh\n${line}\n\`\`\`\n`, stack);
    expect(problems.length, line).toBeGreaterThan(0);
  });
});
