// `node --import @ai-orchestrator/tracing/register app.mjs` (or `--require` for CommonJS): starts
// tracing from environment variables before the app loads its framework.
import { optionsFromEnv } from './env.js';
import { activeTracing, TracingService } from './service.js';
import { warnOnce } from './warn.js';

// The service registers the ESM loader hook itself, before anything of the app is imported.

function flushOnExit(service: TracingService): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    void service.shutdown().then(() => {
      // nobody else handles the signal: end the process the way Node would have
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.once('beforeExit', () => void service.shutdown());
}

if (activeTracing() === undefined) {
  try {
    const service = new TracingService(optionsFromEnv()).initialize();
    if (service.running) flushOnExit(service);
  } catch (error) {
    // a bad variable must not stop the app from starting
    warnOnce('AIO_TRACING_REGISTER', `tracing not started: ${String(error)}`);
  }
}
