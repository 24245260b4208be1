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
for (const f of ['package.json', 'dist/extension.js', 'dist/worker.js', 'dist/cli.js', 'dist/webview.js',
  'node_modules/onnxruntime-node/dist/index.js', 'node_modules/onnxruntime-common/package.json',
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
