// Writes a failover lost, written again. Redis replicates asynchronously: a master acknowledges a
// write before its replicas have it, so when a replica is promoted (SENTINEL FAILOVER, a killed
// master, a partition) the writes it had not received are gone, and a client that kept writing to
// the old master until it was demoted loses those too. Each batch is logged with the replication
// position the master reached with it; a batch that is not in the history of the master answering
// now is written again (user activity and subscriptions are idempotent).
import { createHash } from 'node:crypto';
import { EventBuffer, batchEvents } from './buffer.js';
import type { StoreBatch } from './types.js';

/** Where a master's replication history is: its id and offset, and the history it took over. */
export interface Position {
  readonly replid: string;
  readonly offset: number;
  /** The id of the master it was promoted from ('' if none) … */
  readonly replid2: string;
  /** … whose history it holds below this offset (-1 if none). */
  readonly secondOffset: number;
}

// Read-only, and last in a write pipeline, so the offset covers the writes queued before it.
// pcall: where an ACL denies INFO the probe answers nil and replay is off, writes still work.
export const PROBE = `
local info = redis.pcall('INFO', 'replication')
if type(info) ~= 'string' then return false end
return {
  string.match(info, 'master_replid:(%x+)') or '',
  string.match(info, 'master_repl_offset:(%d+)') or '0',
  string.match(info, 'master_replid2:(%x+)') or '',
  string.match(info, 'second_repl_offset:(%-?%d+)') or '-1',
}`;

/** The probe's reply as a Position; undefined when the server would not tell. */
export function parsePosition(reply: unknown): Position | undefined {
  if (!Array.isArray(reply) || reply.length !== 4 || reply[0] === '') return undefined;
  const [replid, offset, replid2, secondOffset] = reply as string[];
  return {
    replid: replid!,
    offset: Number(offset),
    replid2: replid2!,
    secondOffset: Number(secondOffset),
  };
}

// In no master's history: parsePosition never yields an empty id, and secondOffset -1 holds nothing.
const NOWHERE: Position = { replid: '', offset: 0, replid2: '', secondOffset: -1 };

/** Whether the master at `master` holds what was written at `written`. */
function holds(master: Position, written: Position): boolean {
  // Same history, not rewound (a master restarted from an older snapshot keeps its id).
  if (written.replid === master.replid) return written.offset <= master.offset;
  // Promoted from the master written to: it holds that history up to where it took over.
  return written.replid === master.replid2 && written.offset < master.secondOffset;
}

/** A batch with the id its counts were applied under (see StoreBatch.id). */
export type LoggedBatch = StoreBatch & { readonly id: string };

interface Entry {
  readonly batch: LoggedBatch;
  readonly position: Position;
  readonly at: number;
  readonly events: number;
}

/** The batches written in the last `windowMs` (at most `maxEvents` events), with their positions. */
export class ReplayLog {
  readonly #windowMs: number;
  readonly #maxEvents: number;
  #entries: Entry[] = [];
  #events = 0;

  constructor(windowMs: number, maxEvents: number) {
    this.#windowMs = windowMs;
    this.#maxEvents = maxEvents;
  }

  /** Logs a batch the master acknowledged at `position`. */
  add(batch: LoggedBatch, position: Position): void {
    const events = batchEvents(batch);
    this.#entries.push({ batch, position, at: performance.now(), events });
    this.#events += events;
    this.#prune();
  }

  /** Logs a batch no master holds yet (its rewrite failed): the next call writes it again. */
  addLost(batch: LoggedBatch): void {
    this.add(batch, NOWHERE);
  }

  /**
   * Takes out the batches the master at `position` does not hold, merged into one (the newest
   * subscription change per customer wins); undefined when it holds them all.
   */
  takeLost(position: Position): LoggedBatch | undefined {
    this.#prune();
    const lost = this.#entries.filter((e) => !holds(position, e.position));
    if (lost.length === 0) return undefined;
    this.#entries = this.#entries.filter((e) => holds(position, e.position));
    this.#events = this.#entries.reduce((sum, e) => sum + e.events, 0);
    const merged = new EventBuffer(Number.POSITIVE_INFINITY, () => undefined);
    if (lost.length === 1) return lost[0]!.batch; // its own id: a rewrite of a rewrite counts once
    // Newest first: restore() keeps a customer's change already there over an older one.
    for (const entry of lost.reverse()) merged.restore(entry.batch);
    // The same batches merge to the same id, so a failed rewrite retried as it was counts once.
    const id = createHash('sha256')
      .update(lost.map((e) => e.batch.id).join(' '))
      .digest('base64url')
      .slice(0, 16);
    return { ...merged.take()!, id };
  }

  #prune(): void {
    const oldest = performance.now() - this.#windowMs;
    let drop = 0;
    let events = this.#events;
    for (const entry of this.#entries) {
      if (entry.at >= oldest && events <= this.#maxEvents) break;
      events -= entry.events;
      drop++;
    }
    if (drop === 0) return;
    this.#entries = this.#entries.slice(drop);
    this.#events = events;
  }
}
