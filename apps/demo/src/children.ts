// Every process the demo starts runs in its own process group (spawn `detached`), so the SIGINT a
// terminal sends to its foreground group on Ctrl-C reaches only the runner: the runner then takes
// the final summary while the services still answer, and stops them itself. Whatever is still
// running when the runner exits anyway (a crash) gets SIGTERM, so nothing is left behind.
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let hooked = false;

/** Spawn options for a demo child: its own process group. */
export const OWN_GROUP = { detached: true } as const;

/** Remembers a child until it exits; on the runner's exit the rest get SIGTERM. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGTERM');
    });
  }
  return child;
}
