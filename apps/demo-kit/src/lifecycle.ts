// Graceful shutdown: SIGTERM/SIGINT run every registered closer once, bounded in time.

type Closer = () => Promise<void> | void;
const closers: Closer[] = [];
let installed = false;

export function onShutdown(closer: Closer): void {
  closers.push(closer);
  if (installed) return;
  installed = true;
  const stop = (signal: string) => {
    console.log(`${signal}: shutting down`);
    const timer = setTimeout(() => process.exit(1), 5000);
    timer.unref();
    void Promise.allSettled(closers.reverse().map(async (close) => close())).then(() =>
      process.exit(0),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
