// Protobuf wire-format primitives for the OTLP trace encoder: varints, fixed-width numbers,
// length-delimited strings and bytes, into one growing buffer.
// https://protobuf.dev/programming-guides/encoding/

/** Wire types used by OTLP. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH = 2;
export const FIXED32 = 5;

const TWO_32 = 0x1_0000_0000;

function varintSize(v: number): number {
  if (v < 0) return 10;
  let size = 1;
  let rest = v;
  while (rest >= 0x80 && size < 10) {
    rest = Math.floor(rest / 0x80);
    size++;
  }
  return size;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return code - 55; // A-F
}

// hexValue of every ASCII code, looked up rather than computed for each id character
const HEX = Int8Array.from({ length: 128 }, (_, code) => hexValue(code));
const hexAt = (text: string, i: number): number => {
  const code = text.charCodeAt(i);
  return code < 128 ? (HEX[code] as number) : hexValue(code);
};

/** A buffer grown past this for one large request goes back to its first size at the next reset. */
export const RETAINED_BYTES = 1024 * 1024;

export class Writer {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;

  constructor(private readonly size = 64 * 1024) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Starts over, keeping the buffer unless one large request grew it past RETAINED_BYTES. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > RETAINED_BYTES) {
      this.buf = new Uint8Array(this.size);
      this.view = new DataView(this.buf.buffer);
    }
  }

  private ensure(more: number): void {
    const needed = this.pos + more;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Unsigned varint; negative numbers as 64-bit two's complement (ten bytes), as protobuf does. */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value >= 0 && value <= 0xffff_ffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / TWO_32) >>> 0;
    if (value < 0) {
      low = (~low + 1) >>> 0;
      high = (~high + (low === 0 ? 1 : 0)) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string (lone surrogates become U+FFFD, as TextEncoder does). */
  string(text: string): void {
    if (isAscii(text)) {
      this.varint(text.length);
      this.ensure(text.length);
      const buf = this.buf;
      for (let i = 0; i < text.length; i++) buf[this.pos++] = text.charCodeAt(i);
      return;
    }
    this.bytes(Buffer.from(text, 'utf8'));
  }

  /** Length-delimited bytes. */
  bytes(data: Uint8Array): void {
    this.varint(data.length);
    this.raw(data);
  }

  /** Hex text (a trace or span id) as length-delimited bytes. */
  hex(text: string): void {
    const length = text.length >> 1;
    this.varint(length);
    this.ensure(length);
    const buf = this.buf;
    for (let i = 0; i < length; i++) {
      buf[this.pos++] = (hexAt(text, 2 * i) << 4) | hexAt(text, 2 * i + 1);
    }
  }

  /** Bytes already encoded (a remembered field), copied as they are. */
  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Reserves one byte for the length of a message that follows; pass the result to `end`. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the message begun at `at`, moving it when the length needs more bytes. */
  end(at: number): void {
    const length = this.pos - at - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(at + size, at + 1, this.pos);
      this.pos += size - 1;
    }
    let v = length;
    let p = at;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /** A copy of bytes `from`..`to` of the buffer. */
  copy(from: number, to: number): Uint8Array {
    return this.buf.slice(from, to);
  }

  /** A copy of what was written, in memory that is not zeroed first (it is overwritten whole). */
  result(): Uint8Array {
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
}
