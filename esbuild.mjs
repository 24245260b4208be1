// Builds the bundles: extension host (CJS, node), probing worker, CLI (+ demo), probe threads, webview (browser).
// `vscode` is provided by the host; `onnxruntime-node` carries a native binary and ships as-is in the VSIX.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
  define: { __LAYER_PROBE_VERSION__: JSON.stringify(JSON.parse(fs.readFileSync('package.json', 'utf8')).version) },
};

const nodeBundles = {
  ...common,
  platform: 'node',
  format: 'cjs',
  external: ['vscode', 'onnxruntime-node'],
  // jsonc-parser's UMD build requires its files dynamically, which a bundle cannot resolve: take the ESM build.
  mainFields: ['module', 'main'],
  entryPoints: {
    extension: 'src/extension/extension.ts',
    worker: 'src/worker/worker.ts',
    cli: 'src/cli/cli.ts',
    demo: 'src/demo/demo.ts',
    // Probe worker threads (src/core/pipeline/probeWorkers.ts) start it from beside the bundle.
    probeThread: 'src/core/pipeline/probeThread.ts',
  },
  outdir: 'dist',
};

const webviewBundle = {
  ...common,
  platform: 'browser',
  format: 'iife',
  entryPoints: { webview: 'webview/main.ts' },
  outdir: 'dist',
  loader: { '.css': 'css' },
};

const existing = (cfg) => ({
  ...cfg,
  entryPoints: Object.fromEntries(Object.entries(cfg.entryPoints).filter(([, p]) => fs.existsSync(p))),
});

// The runtime boundaries (README "Architecture"), checked on what was actually bundled: the extension
// host must not contain the pipeline (src/core) or load onnxruntime, the webview neither src/core nor
// Node-only modules. A violation fails the build, naming the offending inputs.
const BOUNDARIES = {
  'dist/extension.js': { forbidden: [/^src\/core\//, /onnxruntime/], requires: /require\(["']onnxruntime-node["']\)/ },
  'dist/webview.js': { forbidden: [/^src\/core\//, /^src\/extension\//, /onnxruntime/], requires: /require\(["'](?:onnxruntime-node|vscode|node:[a-z_]+)["']\)/ },
};

function checkBoundaries(metafile) {
  const problems = [];
  for (const [output, rule] of Object.entries(BOUNDARIES)) {
    const entry = metafile.outputs[output];
    if (!entry) continue;
    const inputs = Object.keys(entry.inputs);
    const bad = inputs.filter((input) => rule.forbidden.some((re) => re.test(input)));
    if (bad.length > 0) problems.push(`${output} bundles ${bad.length} forbidden module(s): ${bad.slice(0, 5).join(', ')}`);
    if (rule.requires.test(fs.readFileSync(output, 'utf8'))) problems.push(`${output} requires a module it must not load at run time`);
    const from = [...new Set(inputs.filter((i) => i.startsWith('src/') || i.startsWith('webview/')).map((i) => i.split('/').slice(0, i.startsWith('src/') ? 2 : 1).join('/')))];
    if (!watch) console.log(`bundle check: ${output}: ${inputs.length} modules (${from.join(', ')}); no src/core, no onnxruntime`);
  }
  if (problems.length > 0) throw new Error(`bundle boundary check failed:\n  ${problems.join('\n  ')}`);
}

const configs = [existing(nodeBundles), existing(webviewBundle)]
  .filter((c) => Object.keys(c.entryPoints).length > 0)
  .map((c) => ({ ...c, metafile: true }));
if (watch) {
  for (const cfg of configs) await (await esbuild.context(cfg)).watch();
} else {
  const results = await Promise.all(configs.map((cfg) => esbuild.build(cfg)));
  try {
    for (const result of results) checkBoundaries(result.metafile);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
