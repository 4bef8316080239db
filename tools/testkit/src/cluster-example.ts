// Runs an adapter README's cluster example as a user would: the whole file, with ports from the
// environment, then loads its workers and reads the primary's merged /metrics.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startProcess } from './process.js';

export interface ClusterExampleRun {
  /** The merged exposition the primary served once every worker was merged. */
  readonly body: string;
  /** The ports the workers said they listen on (one shared port under cluster). */
  readonly ports: readonly number[];
}

/** The example without its leading comment: what its README shows. */
export function exampleCode(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/^(\/\/.*\n)+/, '')
    .trim();
}

/**
 * Starts `file` (a cluster primary that prints its `http://…/metrics` URL and whose workers print
 * `… port N`), sends `requests` paths to the workers, waits until the primary merges `workers`
 * workers, and returns its exposition. The process is stopped before it returns.
 */
export async function runClusterExample(
  file: string,
  requests: readonly string[],
  workers = 2,
): Promise<ClusterExampleRun> {
  const env = { ...process.env, PORT: '0', METRICS_PORT: '0', WORKERS: String(workers) };
  const proc = startProcess(process.execPath, [file], { env });
  try {
    let url: string | undefined;
    let ports: number[] = [];
    for (let i = 0; i < 600 && (url === undefined || ports.length < workers); i++) {
      if (proc.child.exitCode !== null) throw new Error(`example exited:\n${proc.output()}`);
      url = /(http:\/\/\S+\/metrics)\b/.exec(proc.output())?.[1];
      ports = [...proc.output().matchAll(/port (\d+)/g)].map((m) => Number(m[1]));
      await sleep(50);
    }
    if (url === undefined || ports.length < workers)
      throw new Error(`example never got ready:\n${proc.output()}`);
    for (const [i, path] of requests.entries()) {
      await (await fetch(`http://127.0.0.1:${ports[i % ports.length]}${path}`)).text();
    }
    const merged = new RegExp(`^metrics_cluster_workers\\{[^}]*\\} ${workers}$`, 'm');
    for (let i = 0; i < 200; i++) {
      const body = await (await fetch(url)).text();
      if (merged.test(body)) return { body, ports };
      await sleep(50);
    }
    throw new Error(`the primary never merged ${workers} workers:\n${proc.output()}`);
  } finally {
    await proc.stop();
  }
}

export interface ClusterExampleSuite {
  /** `import.meta.url` of the adapter's test file (its package is the directory above). */
  readonly testUrl: string;
  readonly service: string;
  /** The request path of request `i`, and the route template it is recorded under. */
  readonly path: (i: number) => string;
  readonly route: string;
}

/**
 * The tests of an adapter README's cluster example: the README shows `examples/cluster.mjs`
 * word for word, and the primary's one /metrics counts every request sent to its workers.
 */
export function clusterExampleSuite(o: ClusterExampleSuite): void {
  const example = fileURLToPath(new URL('../examples/cluster.mjs', o.testUrl));
  const readme = fileURLToPath(new URL('../README.md', o.testUrl));
  describe('README cluster example', () => {
    it('is the code the README shows', () => {
      expect(readFileSync(readme, 'utf8')).toContain(exampleCode(example));
    });

    it('serves one /metrics on the primary that counts the requests of every worker', async () => {
      const { body } = await runClusterExample(
        example,
        Array.from({ length: 20 }, (_, i) => o.path(i)),
      );
      expect(body).toContain(
        `http_server_request_duration_seconds_count{service="${o.service}",http_request_method="GET",http_route="${o.route}",http_response_status_code="200"} 20`,
      );
    });
  });
}
