// Protocol-buffer wire format, just enough to walk and edit ONNX files.
// Hand-written on purpose: full protobuf decoders (protobufjs, onnx-proto) materialise every weight and
// cannot hold models over 2 GB; walking fields lets us copy untouched bytes and keep unknown fields.

import { LayerProbeError } from '../../contract/errors';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** One field occurrence inside a message. Offsets are absolute in the buffer being walked. */
export interface WireField {
  field: number;
  wireType: number;
  /** Offset of the tag (start of the whole field). */
  start: number;
  /** Offset just past the field. */
  end: number;
  /** For WIRE_LEN: payload bounds. For others: value bounds. */
  dataStart: number;
  dataEnd: number;
  /** For WIRE_VARINT: the value (exact up to 2^53). */
  varint: number;
}

export class WireError extends LayerProbeError {}

/** Reads a varint at `pos`; returns [value, nextPos]. Exact up to 2^53, enough for lengths and enums. */
export function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireError(`truncated varint at byte ${pos}`);
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  throw new WireError(`varint longer than 10 bytes at byte ${pos}`);
}

/** Iterates the fields of the message stored in buf[start, end). */
export function fields(buf: Uint8Array, start = 0, end = buf.length): Generator<WireField> {
  return fieldsAt((pos) => readVarint(buf, pos), start, end);
}

/**
 * fields() over any byte source: `varintAt(pos)` reads the varint at absolute offset `pos` ([value,
 * next offset]), e.g. from a file without holding it (weightsByReference.ts).
 */
export function* fieldsAt(varintAt: (pos: number) => [number, number], start: number, end: number): Generator<WireField> {
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, afterTag] = varintAt(pos);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    pos = afterTag;
    let dataStart = pos;
    let dataEnd = pos;
    let varint = 0;
    switch (wireType) {
      case WIRE_VARINT: {
        [varint, pos] = varintAt(pos);
        dataEnd = pos;
        break;
      }
      case WIRE_I64:
        pos += 8;
        dataEnd = pos;
        break;
      case WIRE_I32:
        pos += 4;
        dataEnd = pos;
        break;
      case WIRE_LEN: {
        const [len, afterLen] = varintAt(pos);
        dataStart = afterLen;
        dataEnd = afterLen + len;
        pos = dataEnd;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wireType} at byte ${fieldStart}`);
    }
    if (pos > end) throw new WireError(`field ${field} at byte ${fieldStart} runs past its message`);
    yield { field, wireType, start: fieldStart, end: pos, dataStart, dataEnd, varint };
  }
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

export function readString(buf: Uint8Array, f: WireField): string {
  return utf8Decoder.decode(buf.subarray(f.dataStart, f.dataEnd));
}

export function encodeVarint(value: number): Uint8Array {
  if (value < 0 || !Number.isSafeInteger(value)) throw new WireError(`cannot encode varint ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Signed int64 varint (two's complement, 10 bytes for negatives), as protobuf encodes int64. */
export function encodeInt64Varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function tag(field: number, wireType: number): Uint8Array {
  return encodeVarint(field * 8 + wireType);
}

export function lenField(field: number, payload: Uint8Array): Uint8Array {
  return concatBytes([tag(field, WIRE_LEN), encodeVarint(payload.length), payload]);
}

export function stringField(field: number, value: string): Uint8Array {
  return lenField(field, utf8Encoder.encode(value));
}

export function varintField(field: number, value: number | bigint): Uint8Array {
  return concatBytes([tag(field, WIRE_VARINT), encodeInt64Varint(value)]);
}

export function floatField(field: number, value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return concatBytes([tag(field, WIRE_I32), b]);
}

/** Reads a varint as a signed int64 (exact, two's complement), e.g. negative ONNX attribute ints like axis -1. */
export function readInt64Varint(buf: Uint8Array, pos: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireError(`truncated varint at byte ${pos}`);
    const b = buf[pos++];
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [BigInt.asIntN(64, value), pos];
    shift += 7n;
  }
  throw new WireError(`varint longer than 10 bytes at byte ${pos}`);
}
