// README "Many processes": worker threads record workflows; the main thread serves one /metrics.
import { once } from 'node:events';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { createClusterMetrics, createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';

if (isMainThread) {
  // Before starting threads: the main thread follows each one and merges their metrics.
  const clusterMetrics = createClusterMetrics();
  const server = await startMetricsServer({
    registry: clusterMetrics.registry,
    port: Number(process.env.METRICS_PORT ?? 9464),
    host: '127.0.0.1',
  });
  const threads = Array.from({ length: 4 }, () => new Worker(new URL(import.meta.url)));
  // Ten jobs for each thread, then one scrape of everything they recorded.
  await Promise.all(
    threads.map((thread) => {
      thread.postMessage(10);
      return once(thread, 'message');
    }),
  );
  const text = await (await fetch(server.url)).text();
  console.log(
    text
      .split('\n')
      .filter((line) => /^workflow_executions_total|^metrics_cluster_workers/.test(line))
      .join('\n'),
  );
  await Promise.all(threads.map((thread) => thread.terminate()));
  await server.close();
} else {
  // A thread records as a single process would and answers the main thread by itself.
  const metrics = createMetrics({ serviceName: 'summarizer' });
  parentPort.on('message', (jobs) => {
    for (let i = 0; i < jobs; i++) {
      metrics.recordWorkflowExecution(`wf-${i}`, 'summarize', 'openai', 'success', 120);
    }
    parentPort.postMessage('done');
  });
}
