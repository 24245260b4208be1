// Asserts the VSIX carries what runs and nothing else: the bundles, media, and onnxruntime-node with
// only the linux-x64 binary. Lists the archive with Python's zipfile (python3 is on every machine here).
import { execFileSync } from 'node:child_process';

const vsix = process.argv[2];
const names = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], {
  encoding: 'utf8',
})
  .trim()
  .split('\n');
const files = names.filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
const problems = [];
const need = (f) => files.includes(f) || problems.push(`missing ${f}`);
for (const f of ['package.json', 'media/icon.png', 'media/heatmap-light.svg', 'media/heatmap-dark.svg', 'media/activity-bar.svg', 'dist/extension.js', 'dist/worker.js', 'dist/cli.js', 'dist/probeThread.js', 'dist/webview.js',
  'node_modules/onnxruntime-node/dist/index.js', 'node_modules/onnxruntime-common/package.json', 'node_modules/onnxruntime-common/dist/cjs/package.json',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1']) need(f);
for (const f of files) {
  const binary = f.match(/^node_modules\/onnxruntime-node\/bin\/napi-v\d+\/([^/]+)\/([^/]+)\//);
  if (binary && `${binary[1]}/${binary[2]}` !== 'linux/x64') problems.push(`carries a ${binary[1]}/${binary[2]} binary: ${f}`);
  if (f.startsWith('node_modules/') && !/^node_modules\/onnxruntime-(node|common)\//.test(f)) problems.push(`carries ${f}`);
  if (/^(src|test|bench|webview)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts')) problems.push(`carries source ${f}`);
}
if (problems.length > 0) {
  console.error(`VSIX check failed for ${vsix}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`VSIX check passed: ${files.length} files, onnxruntime-node linux-x64 only.`);

// The packaged onnxruntime-node must load on its own (no dev node_modules) and run a real model.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-vsix-'));
execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', vsix, unpacked]);
const requireFromVsix = createRequire(path.join(unpacked, 'extension', 'dist', 'extension.js'));
const ort = requireFromVsix('onnxruntime-node');
const modelFile = path.resolve('..', 'shared', 'fixtures', 'models', 'toy-facts-llama', 'model.onnx');
const session = await ort.InferenceSession.create(modelFile);
const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 660n, 29901n]), [1, 3]);
const out = await session.run({
  input_ids: ids,
  attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n]), [1, 3]),
  position_ids: new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n]), [1, 3]),
});
if (out.logits.dims.join('x') !== '1x3x32000') {
  console.error(`packaged onnxruntime-node returned logits of shape ${out.logits.dims.join('x')}`);
  process.exit(1);
}
fs.rmSync(unpacked, { recursive: true, force: true });
console.log(`Packaged onnxruntime-node ${ort.env.versions?.node ?? ''} loads and runs toy-facts-llama.`);
