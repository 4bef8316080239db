// The keys of a large metric's hashMap (and of a registry's map of its metrics by name), kept as
// they are added, so a scrape reads them without Object.keys: on a map of 50k series that is one
// step of 13-20 ms (V8 keeps such a map as a dictionary and sorts its keys by insertion on each
// read), a copy of the kept keys 0.5 ms.
//
// Every new series reaches the map by assignment (`hashMap[hash] = entry`, in prom-client and in
// ./writes.ts), and an assignment of a key the object does not have looks it up on the object's
// prototype. The map's prototype becomes a Proxy of Object.prototype whose `set` trap makes the
// assignment as it would have been made, then notes the key. Writes to existing series find
// their key on the map itself and never reach the trap (prom-client's observe() measured the
// same). A series deleted from the map (prom-client's remove()) is dropped from the index when a
// scrape finds it missing. What the index cannot follow makes it stand down for that map, which
// gets its own prototype back and is then read with Object.keys as before: a key that is an
// array index (Object.keys lists those first), or a map whose prototype is not Object.prototype.
// reset() gives the histogram a new map, which gets an index of its own when it grows large.
//
// Only Object.defineProperty on the map would add a key the trap does not see; neither
// prom-client nor this package does that.

/** The largest array index is 2^32 - 2: such keys are elements, listed before the others. */
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

function isArrayIndex(key: string): boolean {
  return ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;
}

/** One map's keys, in the order Object.keys would give them. */
export class KeyIndex {
  readonly map: object;
  readonly #keys: Set<string>;
  readonly #proxy: object;
  /** False once the map holds a key Object.keys would list out of insertion order. */
  #ordered = true;

  private constructor(map: object, keys: readonly string[]) {
    this.map = map;
    this.#keys = new Set(keys);
    this.#proxy = this.#trap();
  }

  /**
   * Indexes `map`, whose keys are `keys` (Object.keys of it, just read), or returns undefined
   * when its keys could not be followed.
   */
  static install(map: object, keys: readonly string[]): KeyIndex | undefined {
    if (Object.getPrototypeOf(map) !== Object.prototype || !Object.isExtensible(map)) {
      return undefined;
    }
    if (keys.some(isArrayIndex)) return undefined;
    const index = new KeyIndex(map, keys);
    try {
      Object.setPrototypeOf(map, index.#proxy);
    } catch {
      return undefined;
    }
    return index;
  }

  /**
   * True while the kept keys are the map's, in Object.keys order: no array index was added, and
   * the map's prototype is still the trap (an assignment to `__proto__` would have replaced it).
   */
  get valid(): boolean {
    return this.#ordered && Object.getPrototypeOf(this.map) === this.#proxy;
  }

  /** The kept keys (deleted ones included until forget() drops them). */
  keys(): string[] {
    return Array.from(this.#keys);
  }

  /**
   * Stands the index down for good: the map gets its own prototype back (unless someone replaced
   * the trap already), so the trap no longer notes keys nobody will read.
   */
  release(): void {
    this.#ordered = false;
    this.#keys.clear();
    if (Object.getPrototypeOf(this.map) !== this.#proxy) return;
    try {
      Object.setPrototypeOf(this.map, Object.prototype);
    } catch {
      // a map made non-extensible since: its prototype stays, its keys are read from it
    }
  }

  /** Drops a key a scrape found missing from the map. */
  forget(key: string): void {
    this.#keys.delete(key);
  }

  #trap(): object {
    const map = this.map;
    const keys = this.#keys;
    return new Proxy(Object.prototype, {
      // The assignment as it would have been made without the trap, then its key noted if it
      // defined one on the map (`__proto__`'s setter, for one, defines none).
      set: (target, key, value, receiver) => {
        const done = Reflect.set(target, key, value, receiver);
        if (done && receiver === map && typeof key === 'string' && Object.hasOwn(map, key)) {
          if (isArrayIndex(key)) this.#ordered = false;
          // A key deleted and assigned again is listed last, as Object.keys lists it.
          keys.delete(key);
          keys.add(key);
        }
        return done;
      },
    });
  }
}
