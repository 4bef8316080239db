// Graceful shutdown: SIGTERM/SIGINT close every registered closer once, then flush the pending
// spans (tracing's shutdown is bounded), all within 10 s.
import { activeTracing } from '@ai-orchestrator/tracing';

type Closer = () => Promise<void> | void;
const closers: Closer[] = [];
let installed = false;

export function onShutdown(closer: Closer): void {
  closers.push(closer);
  if (installed) return;
  installed = true;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    void Promise.allSettled(closers.reverse().map(async (close) => close()))
      .then(() => activeTracing()?.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  // `on`, not `once`: the tracing register entry re-raises the signal once no listener is left,
  // which would end the process before the servers have closed.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
