// The workflow a GenAI call belongs to, for the spend counters: set around a workflow's code with
// withWorkflow(), read when a call starts. Only the workflow's name: ids are never labels.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

/** Runs `fn` with `name` as the current workflow. */
export function runInWorkflow<T>(name: string, fn: () => T): T {
  return current.run(name, fn);
}

/** The workflow set by the innermost enclosing runInWorkflow(), if any. */
export function currentWorkflow(): string | undefined {
  return current.getStore();
}
