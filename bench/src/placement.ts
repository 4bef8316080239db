// Where the bench puts its processes: the server under test and the load generator on different
// cores (`taskset` from util-linux) when the machine has two or more, and both at a raised
// scheduling priority when the user may raise it. The report states what was done.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** What the runner could arrange for the measured processes. */
export interface Placement {
  /** The core of the server under test, when pinned. */
  readonly serverCpu?: number;
  /** The core of the load generator, when pinned. */
  readonly loadCpu?: number;
  /** The nice value given to both, when the OS allowed it. */
  readonly priority?: number;
  /** One sentence for the report: what was done, or why not. */
  readonly detail: string;
}

// Above the default 0 and below what the system's own daemons use.
const RAISED_PRIORITY = -5;

/** Expands a Linux CPU list (`0-3,6`) into CPU numbers. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    const last = to !== undefined && Number.isInteger(to) ? to : from;
    for (let cpu = from; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The CPUs this process may run on (its cpuset), or undefined off Linux. */
function allowedCpus(): number[] | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
    return line ? parseCpuList(line[1] as string) : undefined;
  } catch {
    return undefined;
  }
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Whether this process may give its children a raised priority (probed on itself, then undone). */
function mayRaisePriority(): boolean {
  try {
    setPriority(process.pid, RAISED_PRIORITY);
    setPriority(process.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides where the server and the load generator run: the last allowed core for the server,
 * the first for the load generator. `pin: false` (`--no-pin`) leaves both to the scheduler.
 *
 * @example
 * const placement = planPlacement(); // { serverCpu: 1, loadCpu: 0, priority: -5, detail: '…' }
 */
export function planPlacement(pin = true): Placement {
  if (!pin) return { detail: 'not pinned, default priority (--no-pin)' };
  const cpus = allowedCpus();
  const priority = mayRaisePriority() ? RAISED_PRIORITY : undefined;
  const nice =
    priority === undefined
      ? 'default priority (raising it was refused)'
      : `both at nice ${priority}`;
  if (cpus === undefined || cpus.length < 2) {
    return {
      ...(priority === undefined ? {} : { priority }),
      detail: `not pinned: ${cpus === undefined ? 'no Linux cpuset to read' : 'only one CPU is allowed'}; ${nice}`,
    };
  }
  if (!hasTaskset()) {
    return {
      ...(priority === undefined ? {} : { priority }),
      detail: `not pinned: taskset (util-linux) is not installed; ${nice}`,
    };
  }
  const serverCpu = cpus[cpus.length - 1] as number;
  const loadCpu = cpus[0] as number;
  return {
    serverCpu,
    loadCpu,
    ...(priority === undefined ? {} : { priority }),
    detail: `server pinned to CPU ${serverCpu}, load generator to CPU ${loadCpu} (taskset); ${nice}; other processes of the machine still share both`,
  };
}

/** The child options (see children.ts) that put the server or the load generator in place. */
export function placed(
  placement: Placement,
  role: 'server' | 'load',
): { readonly cpu?: number; readonly priority?: number } {
  const cpu = role === 'server' ? placement.serverCpu : placement.loadCpu;
  return {
    ...(cpu === undefined ? {} : { cpu }),
    ...(placement.priority === undefined ? {} : { priority: placement.priority }),
  };
}
