// Writes everything `npm run demo` needs, from nothing but seeds: the model folder (model.onnx,
// config.json, tokenizer files) and the dataset. Same options, same bytes, on every machine.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { buildDemoDataset, type DemoDatasetOptions, demoDatasetToJsonl } from './demoDataset';
import { buildDemoModel, DEFAULT_DEMO_MODEL_CONFIG, type DemoModelConfig, demoModelHfConfig } from './demoModel';
import { buildDemoTokenizer } from './demoTokenizer';

export const DEMO_MODEL_DIR_NAME = 'demo-model';
export const DEMO_DATASET_FILE_NAME = 'demo-dataset.jsonl';

export interface DemoAssetsOptions {
  /** Overrides of the model shape, init scales and seed (vocabulary and special ids come from the tokenizer). */
  model?: Partial<Omit<DemoModelConfig, 'vocabSize' | 'bosTokenId' | 'eosTokenId'>>;
  dataset?: DemoDatasetOptions;
}

export interface DemoAssets {
  modelDir: string;
  datasetFile: string;
}

/** The full model config the assets use: defaults, overrides, and the tokenizer's vocabulary facts. */
export function demoModelConfig(options: DemoAssetsOptions = {}): DemoModelConfig {
  const tokenizer = buildDemoTokenizer();
  return {
    ...DEFAULT_DEMO_MODEL_CONFIG,
    ...options.model,
    vocabSize: tokenizer.vocabSize,
    bosTokenId: tokenizer.bosTokenId,
    eosTokenId: tokenizer.eosTokenId,
  };
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Creates (or overwrites) `outDir/demo-model/` and `outDir/demo-dataset.jsonl`. */
export function createDemoAssets(outDir: string, options: DemoAssetsOptions = {}): DemoAssets {
  const modelDir = path.join(outDir, DEMO_MODEL_DIR_NAME);
  const datasetFile = path.join(outDir, DEMO_DATASET_FILE_NAME);
  fs.mkdirSync(modelDir, { recursive: true });

  const tokenizer = buildDemoTokenizer();
  const config = demoModelConfig(options);
  fs.writeFileSync(path.join(modelDir, 'model.onnx'), buildDemoModel(config).bytes);
  fs.writeFileSync(path.join(modelDir, 'config.json'), json(demoModelHfConfig(config)));
  fs.writeFileSync(path.join(modelDir, 'tokenizer.json'), json(tokenizer.tokenizer));
  fs.writeFileSync(path.join(modelDir, 'tokenizer_config.json'), json(tokenizer.tokenizerConfig));
  fs.writeFileSync(path.join(modelDir, 'special_tokens_map.json'), json(tokenizer.specialTokensMap));
  fs.writeFileSync(datasetFile, demoDatasetToJsonl(buildDemoDataset(options.dataset)));
  return { modelDir, datasetFile };
}
