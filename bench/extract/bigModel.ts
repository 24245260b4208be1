// A ~100M-parameter-class decoder (12 layers × 768, ff 3072, vocab 32k: GPT-2-small-like) written with
// the project's own ONNX writer, so the benchmark needs no download. Random weights: throughput does not
// depend on what the weights are.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { buildDemoModel, DEFAULT_DEMO_MODEL_CONFIG, type DemoModelConfig, demoModelHfConfig } from '../../src/demo/demoModel';

export const BIG_MODEL_CONFIG: DemoModelConfig = {
  ...DEFAULT_DEMO_MODEL_CONFIG,
  numLayers: 12,
  hiddenSize: 768,
  numHeads: 12,
  intermediateSize: 3072,
  vocabSize: 32000,
  maxPositionEmbeddings: 512,
  bosTokenId: 1,
  eosTokenId: 2,
};

export function parameterCount(c: DemoModelConfig): number {
  const h = c.hiddenSize;
  const perLayer = 4 * h * h + 3 * h * c.intermediateSize + 2 * h;
  return 2 * c.vocabSize * h + c.maxPositionEmbeddings * h + c.numLayers * perLayer + h;
}

/** Writes model.onnx + config.json into a fresh temp folder and returns it (the caller removes it). */
export function writeBigModel(config: DemoModelConfig = BIG_MODEL_CONFIG): { dir: string; seconds: number } {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-model-'));
  fs.writeFileSync(path.join(dir, 'model.onnx'), buildDemoModel(config).bytes);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(demoModelHfConfig(config), null, 2));
  return { dir, seconds: (performance.now() - started) / 1000 };
}
