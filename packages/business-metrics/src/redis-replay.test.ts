import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchId } from './buffer.js';
import { ReplayLog, parsePosition, type LoggedBatch, type Position } from './redis-replay.js';
import type { StoreBatch } from './types.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const NONE = '0'.repeat(40);
const at = (replid: string, offset: number, replid2 = NONE, secondOffset = -1): Position => ({
  replid,
  offset,
  replid2,
  secondOffset,
});
const users = (...ids: string[]): LoggedBatch => ({
  id: batchId(),
  users: new Map([['2026-11-29', ids]]),
  subscriptions: [],
  satisfaction: new Map(),
});
const ids = (batch: StoreBatch | undefined) => [...(batch?.users.get('2026-11-29') ?? [])].sort();

describe('ReplayLog: which writes a new master lacks', () => {
  it('keeps nothing to replay while the same master answers', () => {
    const log = new ReplayLog(30_000, 1000);
    log.add(users('u1'), at(A, 100));
    log.add(users('u2'), at(A, 200));
    expect(log.takeLost(at(A, 250))).toBeUndefined();
  });

  it('replays what a promoted replica had not received, not what it had', () => {
    const log = new ReplayLog(30_000, 1000);
    log.add(users('before'), at(A, 100));
    log.add(users('after-1'), at(A, 300));
    log.add(users('after-2'), at(A, 400));
    // B took over A's history up to offset 201 (exclusive): A's writes at 300 and 400 are not in it.
    const lost = log.takeLost(at(B, 250, A, 201));
    expect(ids(lost)).toEqual(['after-1', 'after-2']);
    expect(log.takeLost(at(B, 260, A, 201))).toBeUndefined(); // taken out once
  });

  it('replays a batch under its own id, and the same lost batches under the same id', () => {
    const log = new ReplayLog(30_000, 1000);
    const one = users('u1');
    log.add(one, at(A, 10));
    expect(log.takeLost(at(C, 0))?.id).toBe(one.id); // its counts were applied under that id
    log.add(users('u2'), at(A, 20));
    log.add(users('u3'), at(A, 30));
    const merged = log.takeLost(at(C, 0))!;
    log.addLost(merged); // the rewrite failed: the next call sends it again, counted once
    expect(log.takeLost(at(C, 0))?.id).toBe(merged.id);
  });

  it('replays everything when the master has an unrelated history (restarted empty)', () => {
    const log = new ReplayLog(30_000, 1000);
    log.add(users('u1'), at(A, 0));
    expect(ids(log.takeLost(at(C, 0)))).toEqual(['u1']);
  });

  it('replays what a master rewound to an older snapshot no longer has', () => {
    const log = new ReplayLog(30_000, 1000);
    log.add(users('kept'), at(A, 100));
    log.add(users('rewound'), at(A, 500));
    expect(ids(log.takeLost(at(A, 120)))).toEqual(['rewound']);
  });

  it('keeps the newest subscription change per customer when merging', () => {
    const log = new ReplayLog(30_000, 1000);
    const change = (amountUnits: number): LoggedBatch => ({
      id: batchId(),
      users: new Map(),
      subscriptions: [{ type: 'set', customer: 'c', currency: 'USD', amountUnits }],
      satisfaction: new Map(),
    });
    log.add(change(1), at(A, 10));
    log.add(change(2), at(A, 20));
    expect(log.takeLost(at(C, 0))?.subscriptions).toEqual([
      { type: 'set', customer: 'c', currency: 'USD', amountUnits: 2 },
    ]);
  });

  it('keeps a failed replay for the next call', () => {
    const log = new ReplayLog(30_000, 1000);
    log.addLost(users('u1'));
    expect(ids(log.takeLost(at(A, 0)))).toEqual(['u1']);
  });

  it('lets batches go past the window or the event bound', async () => {
    const bounded = new ReplayLog(30_000, 2);
    bounded.add(users('old'), at(A, 1));
    bounded.add(users('mid'), at(A, 2));
    bounded.add(users('new'), at(A, 3));
    expect(ids(bounded.takeLost(at(C, 0)))).toEqual(['mid', 'new']);
    const short = new ReplayLog(20, 1000);
    short.add(users('old'), at(A, 1));
    await sleep(40);
    expect(short.takeLost(at(C, 0))).toBeUndefined();
  });

  it('reads the probe reply, and nothing when the server would not tell', () => {
    expect(parsePosition([A, '42', B, '7'])).toEqual(at(A, 42, B, 7));
    expect(parsePosition(null)).toBeUndefined();
    expect(parsePosition(['', '0', '', '-1'])).toBeUndefined();
  });
});
