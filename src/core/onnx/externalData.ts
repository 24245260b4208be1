// Checks, before onnxruntime sees the model, that every weight stored outside the .onnx file can be
// read: onnxruntime's own errors for a missing or short data file name neither the file nor the weight
// clearly, and reading past the end of a file someone truncated must not be left to native code.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { OnnxGraphError } from './errors';
import type { OnnxGraph, OnnxTensorRef } from './graph';
import {
  ATTR_G,
  ATTR_GRAPHS,
  ATTR_SPARSE_TENSOR,
  ATTR_SPARSE_TENSORS,
  ATTR_T,
  ATTR_TENSORS,
  DATA_LOCATION_EXTERNAL,
  ENTRY_KEY,
  ENTRY_VALUE,
  GRAPH_INITIALIZER,
  GRAPH_NODE,
  GRAPH_SPARSE_INITIALIZER,
  MODEL_GRAPH,
  NODE_ATTRIBUTE,
  SPARSE_INDICES,
  SPARSE_VALUES,
  TENSOR_DATA_LOCATION,
  TENSOR_EXTERNAL_DATA,
} from './protoFields';
import { concatBytes, fields, lenField, readString, stringField, WIRE_LEN, WIRE_VARINT } from './wire';

/** Throws an OnnxGraphError naming the model, the weight and the data file for the first unreadable weight. */
export function checkExternalData(graph: OnnxGraph, modelDir: string): void {
  const root = path.resolve(modelDir);
  const sizes = new Map<string, number | undefined>();
  const sizeOf = (file: string): number | undefined => {
    if (!sizes.has(file)) {
      let size: number | undefined;
      try {
        const stat = fs.statSync(file);
        size = stat.isFile() ? stat.size : undefined;
      } catch {
        size = undefined;
      }
      sizes.set(file, size);
    }
    return sizes.get(file);
  };
  const tensors: OnnxTensorRef[] = [...graph.initializers.values()];
  for (const node of graph.nodes) if (node.constantValue) tensors.push(node.constantValue);
  for (const t of tensors) {
    if (t.dataLocation !== DATA_LOCATION_EXTERNAL) continue;
    const where = `${graph.fileLabel}: weight '${t.name}'`;
    const location = t.externalData.location;
    if (!location) throw new OnnxGraphError(`${where} is stored externally but names no data file`);
    const file = path.resolve(root, location);
    // Same rule as onnxruntime: external data must stay inside the model folder.
    if (file !== root && !file.startsWith(root + path.sep)) {
      throw new OnnxGraphError(`${where} points outside the model folder (location '${location}')`);
    }
    const size = sizeOf(file);
    if (size === undefined) {
      throw new OnnxGraphError(`${where} is stored in '${location}', which is missing from ${root}`);
    }
    const offset = Number(t.externalData.offset ?? 0);
    const length = t.externalData.length === undefined ? undefined : Number(t.externalData.length);
    if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
      throw new OnnxGraphError(`${where}: invalid offset/length ('${t.externalData.offset}', '${t.externalData.length}') in '${location}'`);
    }
    const end = offset + (length ?? 0);
    if (end > size) {
      throw new OnnxGraphError(
        `${where} needs bytes ${offset}…${end} of '${location}', but that file has only ${size} bytes (truncated, or from another export?)`,
      );
    }
  }
}

/** Where onnxruntime should look for the external data of `bytes`, and the bytes to give it. */
export interface ExternalDataPlacement {
  /** For the session option `model_external_initializers_file_folder_path`. */
  folder: string;
  /** `bytes` itself unless some `location` had to be rewritten. */
  bytes: Uint8Array;
}

/**
 * onnxruntime refuses external data whose real path (symlinks followed) leaves the folder it is given.
 * The Hugging Face hub cache is laid out exactly so: `snapshots/<rev>/model.onnx.data` is a symlink to
 * `../../blobs/<sha256>`. When every data file resolves into one folder, that folder is used instead and
 * each `location` is rewritten to the resolved file's name, in the returned copy only (the user's files
 * are never touched). When nothing leaves the model folder, `bytes` is returned as is.
 */
export function placeExternalData(bytes: Uint8Array, modelDir: string, fileLabel: string): ExternalDataPlacement {
  const unchanged: ExternalDataPlacement = { folder: modelDir, bytes };
  const locations = new Set<string>();
  editTensors(bytes, (start, end) => {
    const location = externalLocation(bytes, start, end);
    if (location !== undefined) locations.add(location);
    return undefined;
  });
  if (locations.size === 0) return unchanged;

  const realRoot = realpathOrUndefined(modelDir) ?? path.resolve(modelDir);
  const resolved = new Map<string, string>();
  for (const location of locations) {
    const real = realpathOrUndefined(path.resolve(modelDir, location));
    // A missing file is reported by checkExternalData (or by onnxruntime), not here.
    if (real === undefined) return unchanged;
    resolved.set(location, real);
  }
  const inside = (file: string): boolean => file.startsWith(realRoot + path.sep);
  if ([...resolved.values()].every(inside)) return unchanged;

  const folders = new Set([...resolved.values()].map((real) => path.dirname(real)));
  if (folders.size > 1) {
    const list = [...resolved].map(([location, real]) => `'${location}' → ${real}`).join(', ');
    throw new OnnxGraphError(
      `${fileLabel}: the external data files resolve (through symlinks) into different folders (${list}); ` +
        `onnxruntime reads external data from one folder only: copy them into the model folder`,
    );
  }
  const renames = new Map<string, string>();
  for (const [location, real] of resolved) if (path.basename(real) !== location) renames.set(location, path.basename(real));
  const folder = [...folders][0];
  if (renames.size === 0) return { folder, bytes };
  const rewritten = editTensors(bytes, (start, end) => renameLocation(bytes, start, end, renames));
  return { folder, bytes: rewritten ?? bytes };
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/** `location` of a TensorProto stored externally (payload in buf[start, end)); undefined otherwise. */
function externalLocation(buf: Uint8Array, start: number, end: number): string | undefined {
  let external = false;
  let location: string | undefined;
  for (const f of fields(buf, start, end)) {
    if (f.field === TENSOR_DATA_LOCATION && f.wireType === WIRE_VARINT) external = f.varint === DATA_LOCATION_EXTERNAL;
    else if (f.field === TENSOR_EXTERNAL_DATA && f.wireType === WIRE_LEN) {
      const entry = readEntry(buf, f.dataStart, f.dataEnd);
      if (entry.key === 'location') location = entry.value;
    }
  }
  return external ? location : undefined;
}

function readEntry(buf: Uint8Array, start: number, end: number): { key: string; value: string } {
  let key = '';
  let value = '';
  for (const e of fields(buf, start, end)) {
    if (e.field === ENTRY_KEY && e.wireType === WIRE_LEN) key = readString(buf, e);
    else if (e.field === ENTRY_VALUE && e.wireType === WIRE_LEN) value = readString(buf, e);
  }
  return { key, value };
}

/** New TensorProto payload with its `location` entry renamed; undefined when it needs none. */
function renameLocation(buf: Uint8Array, start: number, end: number, renames: Map<string, string>): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let changed = false;
  for (const f of fields(buf, start, end)) {
    if (f.field === TENSOR_EXTERNAL_DATA && f.wireType === WIRE_LEN) {
      const entry = readEntry(buf, f.dataStart, f.dataEnd);
      const renamed = entry.key === 'location' ? renames.get(entry.value) : undefined;
      if (renamed !== undefined) {
        parts.push(lenField(TENSOR_EXTERNAL_DATA, concatBytes([stringField(ENTRY_KEY, 'location'), stringField(ENTRY_VALUE, renamed)])));
        changed = true;
        continue;
      }
    }
    parts.push(buf.subarray(f.start, f.end));
  }
  return changed ? concatBytes(parts) : undefined;
}

/** Edits a TensorProto payload: new payload, or undefined to keep it. */
type TensorEdit = (start: number, end: number) => Uint8Array | undefined;
/** Per message kind: which length-delimited fields hold which kind of message. */
type Kind = 'model' | 'graph' | 'node' | 'attribute' | 'sparse' | 'tensor';
const CHILDREN: Record<Exclude<Kind, 'tensor'>, Record<number, Kind>> = {
  model: { [MODEL_GRAPH]: 'graph' },
  graph: { [GRAPH_INITIALIZER]: 'tensor', [GRAPH_SPARSE_INITIALIZER]: 'sparse', [GRAPH_NODE]: 'node' },
  node: { [NODE_ATTRIBUTE]: 'attribute' },
  attribute: {
    [ATTR_T]: 'tensor',
    [ATTR_TENSORS]: 'tensor',
    [ATTR_G]: 'graph',
    [ATTR_GRAPHS]: 'graph',
    [ATTR_SPARSE_TENSOR]: 'sparse',
    [ATTR_SPARSE_TENSORS]: 'sparse',
  },
  sparse: { [SPARSE_VALUES]: 'tensor', [SPARSE_INDICES]: 'tensor' },
};

/**
 * Applies `edit` to every TensorProto of a ModelProto (initializers, Constant values, subgraphs included);
 * the new model, or undefined when nothing changed. Every other byte is copied as is.
 */
function editTensors(bytes: Uint8Array, edit: TensorEdit): Uint8Array | undefined {
  const visit = (kind: Kind, start: number, end: number): Uint8Array | undefined => {
    if (kind === 'tensor') return edit(start, end);
    const children = CHILDREN[kind];
    const parts: Uint8Array[] = [];
    let changed = false;
    for (const f of fields(bytes, start, end)) {
      const child = f.wireType === WIRE_LEN ? children[f.field] : undefined;
      const edited = child && visit(child, f.dataStart, f.dataEnd);
      if (edited) {
        parts.push(lenField(f.field, edited));
        changed = true;
      } else parts.push(bytes.subarray(f.start, f.end));
    }
    return changed ? concatBytes(parts) : undefined;
  };
  return visit('model', 0, bytes.length);
}
