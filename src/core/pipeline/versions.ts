import { createRequire } from 'node:module';

// Injected by esbuild from package.json; tests run from source, where the fallback applies.
declare const __LAYER_PROBE_VERSION__: string | undefined;
export const TOOL_VERSION: string =
  typeof __LAYER_PROBE_VERSION__ === 'string' ? __LAYER_PROBE_VERSION__ : 'dev';

/** The onnxruntime-node version actually loaded, recorded in every result. */
export function onnxruntimeVersion(): string {
  try {
    const require = createRequire(__filename);
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
