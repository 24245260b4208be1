// Broken model folders: truncated or random ONNX bytes, missing or broken external data, tokenizer and
// config files, special files where a model file should be, and the shared bad fixtures.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { fixtureModel } from '../../helpers/fixtures';
import type { BadCase } from '../harness';
import { goodRows, headOf, jsonl, mkfifo, MODEL, modelFolder, noise, probe, put } from '../makers';

type Replace = Parameters<typeof modelFolder>[1];

/** A run of the good dataset on `dir/model` = the tiny fixture with `replace` applied. */
function broken(id: string, replace: Replace, says: (string | RegExp)[], extra: Partial<BadCase> = {}, fixture = MODEL): BadCase {
  return {
    id: `model/${id}`,
    setup: (dir) => { put(dir, 'data.jsonl', jsonl(goodRows())); modelFolder(dir, replace, fixture); },
    args: (dir) => probe('data.jsonl', [], path.join(dir, 'model')),
    expect: 'refused',
    says,
    ...extra,
  };
}
const onnx = path.join(MODEL, 'model.onnx');
const config = JSON.parse(fs.readFileSync(path.join(MODEL, 'config.json'), 'utf8')) as Record<string, unknown>;
const withConfig = (change: Record<string, unknown>): string => JSON.stringify({ ...config, ...change });
const modelFile = /model\.onnx/;

export const modelCases: BadCase[] = [
  broken('onnx-truncated-1k', { 'model.onnx': headOf(onnx, 1000) }, [modelFile]),
  broken('onnx-truncated-half', { 'model.onnx': headOf(onnx, 31_000) }, [modelFile]),
  broken('onnx-last-byte-missing', { 'model.onnx': headOf(onnx, fs.statSync(onnx).size - 1) }, [modelFile]),
  broken('onnx-random-bytes', { 'model.onnx': noise(62_464, 11) }, [modelFile]),
  broken('onnx-empty', { 'model.onnx': '' }, [modelFile]),
  broken('onnx-is-text', { 'model.onnx': 'this is not a model\n' }, [modelFile]),
  broken('onnx-missing', { 'model.onnx': undefined }, [/model\.onnx|genai_config|no ONNX/i]),
  broken('onnx-is-a-directory', { 'model.onnx': (f) => fs.mkdirSync(f) }, [modelFile, /directory/]),
  broken('onnx-is-a-fifo', { 'model.onnx': (f) => mkfifo(f) }, [modelFile, /named pipe \(FIFO\)/]),
  broken('onnx-links-to-dev-zero', { 'model.onnx': (f) => fs.symlinkSync('/dev/zero', f) }, [modelFile, /character device/]),
  broken('onnx-dangling-link', { 'model.onnx': (f) => fs.symlinkSync('nowhere.onnx', f) }, [modelFile]),
  broken('external-data-missing', { 'model.onnx.data': undefined }, [/model\.onnx\.data/]),
  broken('external-data-truncated', { 'model.onnx.data': headOf(path.join(MODEL, 'model.onnx.data'), 1_000_000) }, [/model\.onnx(\.data)?/]),
  broken('external-data-empty', { 'model.onnx.data': '' }, [/model\.onnx(\.data)?/]),
  broken('external-data-is-a-directory', { 'model.onnx.data': (f) => fs.mkdirSync(f) }, [/model\.onnx(\.data)?/]),
  broken('external-data-is-a-fifo', { 'model.onnx.data': (f) => mkfifo(f) }, [/model\.onnx\.data/]),
  broken('external-data-links-to-dev-zero', { 'model.onnx.data': (f) => fs.symlinkSync('/dev/zero', f) }, [/model\.onnx\.data/]),
  broken('external-data-all-nan', { 'model.onnx.data': Buffer.alloc(fs.statSync(path.join(MODEL, 'model.onnx.data')).size, 0xff) }, [/NaN|finite/i]),
  broken('tokenizer-missing', { 'tokenizer.json': undefined }, [/tokenizer/]),
  broken('tokenizer-truncated', { 'tokenizer.json': headOf(path.join(MODEL, 'tokenizer.json'), 5000) }, [/tokenizer\.json/]),
  broken('tokenizer-random-bytes', { 'tokenizer.json': noise(5000, 12) }, [/tokenizer\.json/]),
  broken('tokenizer-empty-object', { 'tokenizer.json': '{}' }, [/tokenizer\.json/]),
  broken('tokenizer-json-array', { 'tokenizer.json': '[]' }, [/tokenizer\.json/]),
  broken('tokenizer-is-a-fifo', { 'tokenizer.json': (f) => mkfifo(f) }, [/tokenizer\.json: this is a named pipe/]),
  broken('tokenizer-links-to-dev-zero', { 'tokenizer.json': (f) => fs.symlinkSync('/dev/zero', f) }, [/tokenizer\.json/]),
  broken('tokenizer-config-invalid', { 'tokenizer_config.json': '{"chat_template": ' }, [/tokenizer_config\.json/]),
  broken('config-missing', { 'config.json': undefined }, [], { expect: 'accepted' }),
  broken('config-invalid-json', { 'config.json': '{"num_hidden_layers": 4,' }, [/config\.json/]),
  broken('config-is-an-array', { 'config.json': '[]' }, [], { expect: 'accepted' }),
  broken('config-wrong-layer-count', { 'config.json': withConfig({ num_hidden_layers: 99 }) }, [/layer/]),
  broken('config-tiny-position-table', { 'config.json': withConfig({ max_position_embeddings: 4 }) }, [/too long|position/i]),
  broken('config-positions-not-a-number', { 'config.json': withConfig({ max_position_embeddings: 'many' }) }, [/config\.json|max_position_embeddings/]),
  broken('config-negative-positions', { 'config.json': withConfig({ max_position_embeddings: -1 }) }, [/config\.json|max_position_embeddings/]),
  broken('config-wrong-hidden-size', { 'config.json': withConfig({ hidden_size: 7 }) }, [], { expect: 'accepted' }),
  broken('genai-config-invalid', { 'genai_config.json': '{"model": ' }, [/genai_config\.json/], {}, fixtureModel('tiny-random-gpt2-fused')),
  broken('genai-config-names-missing-file', { 'genai_config.json': fs.readFileSync(path.join(fixtureModel('tiny-random-gpt2-fused'), 'genai_config.json'), 'utf8').replace('past.onnx', 'gone.onnx') }, [/gone\.onnx/], {}, fixtureModel('tiny-random-gpt2-fused')),
  { id: 'model/not-a-transformer', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => probe('data.jsonl', [], fixtureModel('not-a-transformer')), expect: 'refused', says: [/not-a-transformer|decoder\.onnx/] },
  { id: 'model/no-tokenizer-fixture', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => probe('data.jsonl', [], fixtureModel('tiny-qwen-gqa-fp16-notokenizer')), expect: 'refused', says: [/tokenizer/] },
  { id: 'model/vocab-larger-than-embeddings', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => probe('data.jsonl', [], fixtureModel('tiny-random-gpt2-fused')), expect: 'refused', says: [/vocab|1000|embedding/i] },
  { id: 'model/folder-missing', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => probe('data.jsonl', [], 'nowhere-model'), expect: 'refused', says: ['nowhere-model'] },
  { id: 'model/folder-is-a-file', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => probe('data.jsonl', [], 'data.jsonl'), expect: 'refused', says: ['data.jsonl', /folder|directory/] },
  { id: 'model/folder-is-model-onnx', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => probe('data.jsonl', [], onnx), expect: 'refused', says: ['model.onnx', /folder|directory/] },
  { id: 'model/folder-empty', setup: (d) => { put(d, 'data.jsonl', jsonl(goodRows())); fs.mkdirSync(path.join(d, 'empty-model')); }, args: () => probe('data.jsonl', [], 'empty-model'), expect: 'refused', says: ['empty-model'] },
  { id: 'model/folder-symlink-loop', setup: (d) => { put(d, 'data.jsonl', jsonl(goodRows())); fs.symlinkSync('mloop', path.join(d, 'mloop')); }, args: () => probe('data.jsonl', [], 'mloop'), expect: 'refused', says: ['mloop'] },
  { id: 'model/folder-is-dev', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => probe('data.jsonl', [], '/dev'), expect: 'refused', says: ['/dev'] },
  { id: 'model/flag-missing', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => ['probe', 'data.jsonl', '--out', 'out', '--cache-dir', 'cache'], expect: 'refused', says: [/--model/] },
  { id: 'model/flag-empty', setup: (d) => put(d, 'data.jsonl', jsonl(goodRows())), args: () => ['probe', 'data.jsonl', '--model=', '--out', 'out', '--cache-dir', 'cache'], expect: 'refused', says: [/--model|model/] },
];
