// Checks, before onnxruntime sees the model, that every weight stored outside the .onnx file can be
// read: onnxruntime's own errors for a missing or short data file name neither the file nor the weight
// clearly, and reading past the end of a file someone truncated must not be left to native code.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { OnnxGraphError } from './errors';
import type { OnnxGraph, OnnxTensorRef } from './graph';

const DATA_LOCATION_EXTERNAL = 1;

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
