// Builds the four bundles: extension host (CJS, node), probing worker, CLI (+ demo), webview (browser).
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

const configs = [existing(nodeBundles), existing(webviewBundle)].filter((c) => Object.keys(c.entryPoints).length > 0);
if (watch) {
  for (const cfg of configs) await (await esbuild.context(cfg)).watch();
} else {
  await Promise.all(configs.map((cfg) => esbuild.build(cfg)));
}
