// Layer discovery on the layouts no fixture has, generated with the project's writer
// (generatedDecoder.ts): parallel-residual blocks in every summation form, optimum merged decoders,
// MatMulNBits weights, and the cross-checks of the layer count (config, node names).
// The numerical oracles on the same graphs run in test/unit/model/graphCoverage.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseModel } from '../../../src/core/onnx/graph';
import { findLayers, LayerStructureError, type LayerTensors } from '../../../src/core/onnx/layers';
import { parseDecoderGraph } from '../../../src/core/onnx/mergedDecoder';
import { rewriteForActivations } from '../../../src/core/onnx/rewrite';
import { type DecoderSpec, type ExpectedLayer, generateDecoder } from './generatedDecoder';

const pick = (l: LayerTensors): ExpectedLayer => {
  const out: ExpectedLayer = { residPre: l.residPre, attnOut: l.attnOut!, mlpIn: l.mlpIn!, mlpOut: l.mlpOut!, residPost: l.residPost };
  if (l.residMid !== undefined) out.residMid = l.residMid;
  return out;
};

const PARALLEL: { spec: DecoderSpec; orders: string[] }[] = [
  // (r + a) + m, m + (a + r), (m + r) + a: GPT-J / Falcon as traced from Python `a + m + r` variants.
  { spec: { layers: 3, blocks: 'parallel-nested' }, orders: ['attn-first', 'attn-first', 'mlp-first'] },
  { spec: { layers: 3, blocks: 'parallel-nested', sharedNorm: false }, orders: ['attn-first', 'attn-first', 'mlp-first'] },
  // r + (a + m) in both operand orders: Phi-2, GPT-NeoX with separate norms.
  { spec: { layers: 2, blocks: 'parallel-branch-sum' }, orders: ['branches-first', 'branches-first'] },
  { spec: { layers: 2, blocks: 'parallel-branch-sum', sharedNorm: false }, orders: ['branches-first', 'branches-first'] },
  // a + m as the input of the next SkipLayerNormalization, r its skip (onnxruntime-genai Phi-2).
  { spec: { layers: 3, blocks: 'parallel-fused' }, orders: ['branches-first', 'branches-first', 'branches-first'] },
];

for (const { spec, orders } of PARALLEL) {
  const title = `${spec.blocks}${spec.sharedNorm === false ? ' (separate norms)' : ' (shared norm)'}`;
  test(`parallel blocks ${title}: every location found, with or without a layer count`, () => {
    const generated = generateDecoder(spec);
    const graph = parseModel(generated.bytes, `${spec.blocks}.onnx`);
    for (const expectedLayers of [spec.layers, undefined]) {
      const map = findLayers(graph, { expectedLayers });
      assert.equal(map.blockKind, 'parallel');
      assert.equal(map.numLayers, spec.layers);
      assert.deepEqual(map.layers.map(pick), generated.layers);
      assert.deepEqual(map.steps.map((s) => s.parallel?.order), orders);
      if (spec.sharedNorm !== false) {
        // One norm feeds both branches: mlp_in is the attention's input too.
        for (const [i, layer] of map.layers.entries()) {
          const attnMatMul = graph.nodes.find((n) => n.name === `/model/layers.${i}/self_attn/q_proj/MatMul`)!;
          assert.equal(attnMatMul.inputs[0], layer.mlpIn);
        }
      }
    }
    // The fused final norm computes the last sum internally: re-emitted with its output[3].
    assert.equal(findLayers(graph).reemit.length, spec.blocks === 'parallel-fused' ? 1 : 0);
  });
}

test('parallel blocks counted against a config that expects sequential blocks: an error naming both', () => {
  const graph = parseModel(generateDecoder({ layers: 2, blocks: 'parallel-nested' }).bytes, 'parallel.onnx');
  assert.throws(
    () => findLayers(graph, { expectedLayers: 1 }),
    (e: Error) =>
      e instanceof LayerStructureError &&
      e.message.startsWith('parallel.onnx: found 2 residual connections') &&
      e.message.includes('i.e. 2 parallel blocks') &&
      e.message.includes('num_hidden_layers = 1'),
  );
});

test('sequential blocks with the residual on either side of each Add', () => {
  const generated = generateDecoder({ layers: 3, blocks: 'sequential', positionIds: true });
  const map = findLayers(parseModel(generated.bytes, 'sequential.onnx'), { expectedLayers: 3 });
  assert.equal(map.blockKind, 'sequential');
  assert.deepEqual(map.layers.map(pick), generated.layers);
  assert.ok(map.steps.every((s) => s.parallel === undefined));
});

test('MatMulNBits (int4) weights: the MLP input is the data input of the first MatMulNBits', () => {
  const generated = generateDecoder({ layers: 2, blocks: 'sequential', weights: 'int4' });
  const graph = parseModel(generated.bytes, 'int4.onnx');
  assert.ok(graph.nodes.some((n) => n.opType === 'MatMulNBits' && n.domain === 'com.microsoft'));
  assert.ok(!graph.nodes.some((n) => n.opType === 'MatMul' && graph.initializers.has(n.inputs[1])), 'no float weight MatMul');
  const map = findLayers(graph, { expectedLayers: 2 });
  assert.deepEqual(map.layers.map(pick), generated.layers);
  assert.equal(graph.nodes[graph.producerOf.get(map.layers[1].mlpOut!)!].opType, 'Add'); // down_proj bias
});

for (const merged of ['same-names', 'renamed'] as const) {
  test(`optimum merged decoder (If on use_cache_branch, branch outputs ${merged}): the no-cache branch is inlined`, () => {
    const plain = generateDecoder({ layers: 2, blocks: 'sequential' });
    const generated = generateDecoder({ layers: 2, blocks: 'sequential', merged });
    const original = parseModel(generated.bytes, 'decoder_model_merged.onnx');
    assert.deepEqual(original.nodes.map((n) => n.opType), ['If']);
    assert.throws(() => findLayers(original), LayerStructureError, 'the If hides the blocks from the walk');

    const { graph, inlinedIf, droppedInputs } = parseDecoderGraph(generated.bytes, 'decoder_model_merged.onnx');
    assert.deepEqual(inlinedIf, ['optimum::if']);
    assert.deepEqual(droppedInputs, [
      'past_key_values.0.key',
      'past_key_values.0.value',
      'past_key_values.1.key',
      'past_key_values.1.value',
      'use_cache_branch',
    ]);
    assert.deepEqual(graph.inputs.map((i) => i.name), ['input_ids', 'attention_mask']);
    assert.ok(!graph.nodes.some((n) => n.opType === 'If' || n.opType === 'Concat' && n.inputs.some((i) => i.startsWith('past'))));
    assert.deepEqual(graph.outputs.map((o) => o.name), original.outputs.map((o) => o.name));
    // Same computation as the unmerged graph: the same nodes, plus Identity nodes for renamed outputs.
    const renames = merged === 'renamed' ? original.outputs.length : 0;
    assert.equal(graph.nodes.length, parseModel(plain.bytes, 'plain').nodes.length + 4 + renames); // + 4 present Identity nodes
    const map = findLayers(graph, { expectedLayers: 2 });
    assert.deepEqual(map.layers.map(pick), generated.layers);
    // The inlined graph is a normal input for the rewrite.
    const rewritten = parseModel(rewriteForActivations(graph, map, { tensors: [map.layers[0].mlpOut!], keepLogits: false }), 'r');
    assert.deepEqual(rewritten.outputs.map((o) => o.name), [map.layers[0].mlpOut]);
  });
}

test('a graph without a use_cache_branch switch is returned as parsed', () => {
  const bytes = generateDecoder({ layers: 1, blocks: 'sequential', pastInputs: true }).bytes;
  const { graph, inlinedIf } = parseDecoderGraph(bytes, 'plain.onnx');
  assert.deepEqual(inlinedIf, []);
  assert.equal(graph.bytes, bytes);
});

test('layer indices in node names must match the layers the walk found', () => {
  // Layer 0 has no residual connection: the walk sees 3 layers, the names number 4.
  const shallow = parseModel(generateDecoder({ layers: 4, blocks: 'sequential', noResidualLayers: 1 }).bytes, 'shallow.onnx');
  assert.throws(
    () => findLayers(shallow),
    (e: Error) =>
      e instanceof LayerStructureError &&
      e.message.startsWith('shallow.onnx: node names number the layers 0…3') &&
      e.message.includes('found 3 layers whose nodes are named layers 1, 2, 3') &&
      e.message.includes('layer 0 of the walk is named 1, expected 0'),
  );
  // The config check comes first when there is a config, and names what was found.
  assert.throws(
    () => findLayers(shallow, { expectedLayers: 4 }),
    (e: Error) => e instanceof LayerStructureError && e.message.includes('found 6 residual connections') && e.message.includes('i.e. 3 sequential blocks'),
  );
  // Names that skip a layer (0, 1, 3) disagree with three consecutive blocks.
  const skipped = parseModel(generateDecoder({ layers: 3, blocks: 'sequential', layerNameIndex: (i) => (i === 2 ? 3 : i) }).bytes, 'skipped.onnx');
  assert.throws(
    () => findLayers(skipped, { expectedLayers: 3 }),
    (e: Error) => e instanceof LayerStructureError && e.message.includes('named layers 0, 1, 3') && e.message.includes("'/model/layers.3/"),
  );
  // 1-based names are consistent; a final norm filed under layers.L (onnxruntime-genai) is allowed.
  const oneBased = parseModel(generateDecoder({ layers: 2, blocks: 'sequential', layerNameIndex: (i) => i + 1 }).bytes, 'one.onnx');
  assert.equal(findLayers(oneBased, { expectedLayers: 2 }).numLayers, 2);
  const fused = parseModel(generateDecoder({ layers: 2, blocks: 'parallel-fused' }).bytes, 'fused.onnx');
  assert.ok(fused.nodes.some((n) => n.name === '/model/layers.2/final_norm_layernorm/SkipLayerNormalization'));
  assert.equal(findLayers(fused, { expectedLayers: 2 }).numLayers, 2);
});

const LAYOUTS: DecoderSpec[] = [
  { layers: 3, blocks: 'sequential', positionIds: true },
  { layers: 3, blocks: 'parallel-nested' },
  { layers: 2, blocks: 'parallel-branch-sum', sharedNorm: false },
  { layers: 3, blocks: 'parallel-fused' },
  { layers: 2, blocks: 'sequential', merged: 'renamed' },
];

for (const spec of LAYOUTS) {
  test(`${spec.blocks}${spec.merged ? ' (merged)' : ''}: resid_pre of layer l + 1 is resid_post of layer l; the rewrite exposes it once`, () => {
    const { graph } = parseDecoderGraph(generateDecoder(spec).bytes, 'layout.onnx');
    const map = findLayers(graph, { expectedLayers: spec.layers });
    for (let l = 0; l + 1 < map.numLayers; l++) assert.equal(map.layers[l + 1].residPre, map.layers[l].residPost);
    // Layer 0 reads the embedding (plus positions): the stream no block computed.
    const first = graph.nodes[graph.producerOf.get(map.layers[0].residPre)!];
    assert.equal(first.opType, spec.positionIds ? 'Add' : 'Gather');
    assert.equal(map.layers.every((l) => l.residMid !== undefined), spec.blocks === 'sequential');

    // Every location of every layer, in pipeline order: shared tensors appear twice in the request.
    const tensors = map.layers.flatMap((l) => [l.mlpOut!, l.residPost, l.mlpIn!, l.attnOut!, l.residPre, ...(l.residMid ? [l.residMid] : [])]);
    const unique = [...new Set(tensors)];
    assert.equal(tensors.length - unique.length, spec.layers - 1);
    const outputs = parseModel(rewriteForActivations(graph, map, { tensors, keepLogits: true }), 'r').outputs.map((o) => o.name);
    assert.deepEqual(outputs.slice(0, unique.length + 1), [...unique, 'logits']);
    assert.equal(new Set(outputs).size, outputs.length, 'no output name twice');
  });
}
