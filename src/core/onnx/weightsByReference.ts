// Reads a model file without its embedded weights: every initializer of the main graph whose raw_data
// holds at least WEIGHT_BYTES_BY_REFERENCE bytes becomes an external-data reference to those very bytes
// of the same file (location = the file's name, offset, length), as ONNX allows any file to be the data
// file. The graph we parse, rewrite and give onnxruntime is then a few MB even for a 2 GB single-file
// model, and onnxruntime reads (mmaps) the weights once, from the file, when the session is created.
// Before, the whole file was in our memory while onnxruntime copied its weights out of the bytes we gave
// it: a 621 MiB model.onnx peaked at 3.6 GB (bench/extract/README.md). The file is only read, never written.
//
// Hand-written on purpose: the wire walker (wire.ts) needs the bytes in memory, and this must not read the
// weights at all. Anything it does not understand (a truncated or corrupt file) makes it give up, and the
// caller reads the file whole, so the usual parser reports the problem with its usual message.

import * as fs from 'node:fs';

import {
  DATA_LOCATION_EXTERNAL,
  ENTRY_KEY,
  ENTRY_VALUE,
  GRAPH_INITIALIZER,
  MODEL_GRAPH,
  TENSOR_DATA_LOCATION,
  TENSOR_EXTERNAL_DATA,
  TENSOR_RAW_DATA,
} from './protoFields';
import { concatBytes, encodeVarint, fieldsAt, lenField, readVarint, stringField, tag, WIRE_LEN, WIRE_VARINT, WireError, type WireField } from './wire';

/**
 * Weights at least this big are left in the file; smaller ones (shape constants, scalars) stay inline,
 * where ONNX shape inference can read them (it never opens external data). The onnx package's own
 * threshold for `convert_model_to_external_data`.
 */
export const WEIGHT_BYTES_BY_REFERENCE = 1024;

/** Bytes read per refill of the window the fields are parsed from (fields are read front to back). */
const WINDOW_BYTES = 1 << 20;

export interface ModelByReference {
  /** The ModelProto, its big inline weights replaced by references into the file itself. */
  bytes: Uint8Array;
  /** Weights turned into references. */
  referenced: number;
  /** Whether some tensor of the file was stored externally already (in another data file). */
  hadExternalData: boolean;
}

/**
 * The model file `file` with its big embedded weights as references to themselves (`location` is
 * `locationName`, the file's name relative to the model folder). Undefined when the file cannot be walked
 * (truncated, corrupt, not a model): the caller reads it whole and reports what is wrong.
 */
export function readModelByReference(file: string, locationName: string): ModelByReference | undefined {
  let fd: number | undefined;
  try {
    // Not a regular file (a folder, a pipe that would block the open): the whole-file read says what it is.
    if (!fs.statSync(file).isFile()) return undefined;
    fd = fs.openSync(file, 'r');
    return new Walk(new FileWindow(fd, fs.fstatSync(fd).size), locationName).model();
  } catch {
    // WireError (truncated, corrupt) or a read failure: readModelBytes reports it, with the file named.
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

class Walk {
  referenced = 0;
  hadExternalData = false;

  constructor(
    private readonly source: FileWindow,
    private readonly locationName: string,
  ) {}

  model(): ModelByReference {
    const parts: Uint8Array[] = [];
    let graphs = 0;
    for (const f of this.source.fields(0, this.source.size)) {
      if (f.field === MODEL_GRAPH && f.wireType === WIRE_LEN) {
        graphs++;
        const graph = this.graph(f.dataStart, f.dataEnd);
        let length = 0;
        for (const p of graph) length += p.length;
        parts.push(tag(MODEL_GRAPH, WIRE_LEN), encodeVarint(length), ...graph);
      } else parts.push(this.source.read(f.start, f.end));
    }
    // Not a model (or an empty one): nothing to gain, and the parser's message is the right one.
    if (graphs !== 1) throw new WireError('not a single-graph model');
    return { bytes: concatBytes(parts), referenced: this.referenced, hadExternalData: this.hadExternalData };
  }

  private graph(start: number, end: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    for (const f of this.source.fields(start, end)) {
      const byReference = f.field === GRAPH_INITIALIZER && f.wireType === WIRE_LEN ? this.tensor(f.dataStart, f.dataEnd) : undefined;
      parts.push(byReference ? lenField(GRAPH_INITIALIZER, byReference) : this.source.read(f.start, f.end));
    }
    return parts;
  }

  /** The TensorProto in [start, end) with its raw_data as a reference; undefined to keep it as it is. */
  private tensor(start: number, end: number): Uint8Array | undefined {
    const kept: WireField[] = [];
    let raw: WireField | undefined;
    for (const f of this.source.fields(start, end)) {
      if (f.field === TENSOR_DATA_LOCATION && f.wireType === WIRE_VARINT) {
        if (f.varint === DATA_LOCATION_EXTERNAL) this.hadExternalData = true;
        continue;
      }
      if (f.field === TENSOR_RAW_DATA && f.wireType === WIRE_LEN) raw = f;
      else kept.push(f);
    }
    // External already (data_location said so), typed values (float_data …) or a small raw_data: as is.
    const external = kept.some((f) => f.field === TENSOR_EXTERNAL_DATA);
    if (external || !raw || raw.dataEnd - raw.dataStart < WEIGHT_BYTES_BY_REFERENCE) return undefined;
    const entry = (key: string, value: string): Uint8Array =>
      lenField(TENSOR_EXTERNAL_DATA, concatBytes([stringField(ENTRY_KEY, key), stringField(ENTRY_VALUE, value)]));
    this.referenced++;
    return concatBytes([
      ...kept.map((f) => this.source.read(f.start, f.end)),
      entry('location', this.locationName),
      entry('offset', String(raw.dataStart)),
      entry('length', String(raw.dataEnd - raw.dataStart)),
      tag(TENSOR_DATA_LOCATION, WIRE_VARINT),
      encodeVarint(DATA_LOCATION_EXTERNAL),
    ]);
  }
}

/** Positioned reads of one file through a window refilled on demand (skipped weights are never read). */
class FileWindow {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** A copy of bytes [start, end). */
  read(start: number, end: number): Uint8Array {
    if (end > this.size) throw new WireError(`field runs past the end of the file at byte ${start}`);
    if (start >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.slice(start - this.windowStart, end - this.windowStart);
    }
    return this.readFully(new Uint8Array(end - start), start);
  }

  /** As wire.ts's fields(), reading tags and lengths from the file. */
  *fields(start: number, end: number): Generator<WireField> {
    for (const f of fieldsAt((pos) => this.varintAt(pos), start, end)) {
      if (f.field === 0) throw new WireError(`field 0 at byte ${f.start}`);
      yield f;
    }
  }

  /** The varint at file offset `pos`, read from the window (refilled from `pos` when it does not hold it). */
  private varintAt(pos: number): [number, number] {
    if (pos >= this.size) throw new WireError(`truncated varint at byte ${pos}`);
    const longest = Math.min(10, this.size - pos);
    if (pos < this.windowStart || pos + longest > this.windowStart + this.window.length) {
      this.windowStart = pos;
      this.window = this.readFully(new Uint8Array(Math.min(WINDOW_BYTES, this.size - pos)), pos);
    }
    const [value, next] = readVarint(this.window, pos - this.windowStart);
    return [value, next + this.windowStart];
  }

  private readFully(out: Uint8Array, position: number): Uint8Array {
    for (let done = 0; done < out.length; ) {
      const n = fs.readSync(this.fd, out, done, out.length - done, position + done);
      if (n === 0) throw new WireError(`file ends at byte ${position + done}`);
      done += n;
    }
    return out;
  }
}
