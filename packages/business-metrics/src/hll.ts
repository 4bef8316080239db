// A dense HyperLogLog with Redis's parameters (2^14 registers, 0.81% standard error) and Otmar
// Ertl's estimator, the one Redis uses: https://arxiv.org/abs/1702.01284 (one-letter names are the paper's).
import { createHash } from 'node:crypto';

const P = 14;
const M = 1 << P;
const Q = 64 - P;
const ALPHA_INF = 0.5 / Math.LN2;
const HEX64 = /^[0-9a-f]{16}/;

/** One sketch: 16384 one-byte registers, 16 KiB. */
export class HyperLogLog {
  readonly registers: Uint8Array = new Uint8Array(M);

  /** Adds an element; hex digests (what the id hasher gives) are used as the hash directly. */
  add(element: string): void {
    const hex = HEX64.test(element)
      ? element
      : createHash('sha256').update(element, 'utf8').digest('hex');
    const hi = parseInt(hex.slice(0, 8), 16);
    const lo = parseInt(hex.slice(8, 16), 16);
    const index = hi >>> (32 - P);
    const rest = (hi << P) >>> 0; // the 18 bits after the index, at the top of a word
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - P + Math.clz32(lo) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  /** Folds `other` into this sketch (the union of both sets). */
  merge(other: HyperLogLog): this {
    const mine = this.registers;
    const theirs = other.registers;
    for (let i = 0; i < M; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
    return this;
  }

  count(): number {
    const histogram = new Array<number>(Q + 2).fill(0);
    for (const r of this.registers) histogram[r]!++;
    let z = M * tau((M - histogram[Q + 1]!) / M);
    for (let k = Q; k >= 1; k--) {
      z += histogram[k]!;
      z *= 0.5;
    }
    z += M * sigma(histogram[0]! / M);
    return Math.round((ALPHA_INF * M * M) / z);
  }

  /** The union of several sketches, without changing them. */
  static union(sketches: readonly HyperLogLog[]): HyperLogLog {
    const result = new HyperLogLog();
    for (const sketch of sketches) result.merge(sketch);
    return result;
  }
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (previous !== z);
  return z / 3;
}
