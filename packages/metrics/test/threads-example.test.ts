import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exampleCode } from '@ai-orchestrator/testkit';

// The README's worker-threads example, run whole against the built package, as a user would.
const example = fileURLToPath(new URL('../examples/threads.mjs', import.meta.url));
const readme = fileURLToPath(new URL('../README.md', import.meta.url));

describe('README worker threads example', () => {
  it('is the code the README shows', () => {
    expect(readFileSync(readme, 'utf8')).toContain(exampleCode(example));
  });

  it('serves the workflows of all four threads from the main thread', () => {
    const out = execFileSync(process.execPath, [example], {
      env: { ...process.env, METRICS_PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out).toContain(
      'workflow_executions_total{service="summarizer",workflow_name="summarize",engine_type="openai",status="success"} 40',
    );
    expect(out).toContain('metrics_cluster_workers{service="summarizer"} 4');
  });
});
