import { describe, expect, it } from 'vitest';
import { Gatherer, type WorkerState } from './gather.js';
import type { WorkerLink } from './links.js';
import { PART, type FamilySnapshot, type SnapshotPart } from './protocol.js';

const family = (name: string): FamilySnapshot => ({
  kind: 'values',
  name,
  help: name,
  type: 'counter',
  samples: [['', {}, 1]],
});

/** A worker that answers each request with what `answer` gives (nothing: it hangs). */
function link(
  key: string,
  gatherer: () => Gatherer,
  answer: (id: number) => SnapshotPart[],
): WorkerLink & { asked: number } {
  const made = {
    key,
    asked: 0,
    request(id: number) {
      made.asked += 1;
      // Answers arrive later, as over IPC.
      setImmediate(() => {
        for (const part of answer(id)) gatherer().part(key, part);
      });
    },
  };
  return made;
}

const part = (
  id: number,
  last: boolean,
  names: string[],
  extra: Partial<SnapshotPart> = {},
): SnapshotPart => ({
  type: PART,
  id,
  last,
  families: names.map(family),
  ...(last ? { pid: 7, takenAt: 1000, budgets: {} } : {}),
  ...extra,
});

function setup() {
  const left: WorkerState[] = [];
  const gatherer = new Gatherer(
    (state) => left.push(state),
    () => {},
  );
  return { gatherer, left };
}

describe('a scrape round of the primary', () => {
  it('keeps each worker’s snapshot from its parts, in slot order', async () => {
    const { gatherer } = setup();
    gatherer.join(
      link(
        'a',
        () => gatherer,
        (id) => [part(id, false, ['x']), part(id, true, ['y'])],
      ),
    );
    gatherer.join(
      link(
        'b',
        () => gatherer,
        (id) => [part(id, true, ['z'])],
      ),
    );
    expect(await gatherer.gather(1000)).toEqual({ timeout: 0, error: 0 });
    const [a, b] = gatherer.workers;
    expect([a?.worker, b?.worker]).toEqual(['0', '1']);
    expect(a?.last?.families.map((f) => f.name)).toEqual(['x', 'y']);
    expect(b?.last?.pid).toBe(7);
  });

  it('waits no longer than the deadline for a hung worker and keeps its last snapshot', async () => {
    const { gatherer } = setup();
    let hung = false;
    gatherer.join(
      link(
        'a',
        () => gatherer,
        (id) => (hung ? [] : [part(id, true, ['x'])]),
      ),
    );
    await gatherer.gather(1000);
    hung = true;
    expect(await gatherer.gather(50)).toEqual({ timeout: 1, error: 0 });
    expect(gatherer.workers[0]?.last?.families.map((f) => f.name)).toEqual(['x']);
  });

  it('counts a worker that answers an error, and ignores answers to older requests', async () => {
    const { gatherer } = setup();
    gatherer.join(
      link(
        'a',
        () => gatherer,
        (id) => [part(id - 1, true, ['old']), part(id, true, [], { error: 'collector failed' })],
      ),
    );
    expect(await gatherer.gather(1000)).toEqual({ timeout: 0, error: 1 });
    expect(gatherer.workers[0]?.last).toBeUndefined();
  });

  it('stops waiting for a worker that exits, hands its last snapshot on, and frees its slot', async () => {
    const { gatherer, left } = setup();
    gatherer.join(
      link(
        'a',
        () => gatherer,
        (id) => [part(id, true, ['x'])],
      ),
    );
    gatherer.join(
      link(
        'b',
        () => gatherer,
        (id) => [part(id, true, ['y'])],
      ),
    );
    await gatherer.gather(1000);
    const round = gatherer.gather(60_000);
    gatherer.leave('a');
    gatherer.leave('b');
    expect(await round).toEqual({ timeout: 0, error: 0 });
    expect(left.map((state) => state.last?.families[0]?.name)).toEqual(['x', 'y']);
    gatherer.join(
      link(
        'c',
        () => gatherer,
        () => [],
      ),
    );
    expect(gatherer.workers[0]?.worker).toBe('0');
  });

  it('shares one round between concurrent scrapes', async () => {
    const { gatherer } = setup();
    const a = link(
      'a',
      () => gatherer,
      (id) => [part(id, true, ['x'])],
    );
    gatherer.join(a);
    await Promise.all([gatherer.gather(1000), gatherer.gather(1000)]);
    expect(a.asked).toBe(1);
  });
});

describe('a primary that stops following its workers', () => {
  it('lets each one go with its last snapshot and asks none of them again', async () => {
    const { gatherer, left } = setup();
    const a = link(
      'a',
      () => gatherer,
      (id) => [part(id, true, ['x'])],
    );
    gatherer.join(a);
    await gatherer.gather(1000);
    gatherer.clear();
    expect(left.map((state) => state.last?.families[0]?.name)).toEqual(['x']);
    expect(await gatherer.gather(1000)).toEqual({ timeout: 0, error: 0 });
    expect(a.asked).toBe(1);
  });
});
