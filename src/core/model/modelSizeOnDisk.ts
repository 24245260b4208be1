// The bytes a model load reads: the graph file and its external-data files. Reported with the load,
// which has no done/total of its own (onnxruntime reads the model in one synchronous call).
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The graph file plus the files named after it (model.onnx.data, model.onnx_data, model.data): where
 * exporters put external weights. Other graphs in the folder (a second decoder) are not counted.
 */
export function modelSizeOnDisk(modelFile: string): number {
  const dir = path.dirname(modelFile);
  const name = path.basename(modelFile);
  const stem = name.replace(/\.onnx$/, '');
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const ours = entry.name === name || entry.name.startsWith(`${name}.`) || entry.name.startsWith(`${name}_`) || entry.name === `${stem}.data`;
    if (ours) bytes += fs.statSync(path.join(dir, entry.name)).size;
  }
  return bytes;
}
