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
});
