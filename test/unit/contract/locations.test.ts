import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeLocation, isProbeLocation, LOCATION_TABLE, PROBE_LOCATIONS } from '../../../src/contract/locations';

test('the locations, mlp_out (the reference default) first', () => {
  assert.deepEqual(PROBE_LOCATIONS, ['mlp_out', 'resid_post', 'mlp_in', 'attn_out', 'resid_pre', 'resid_mid']);
  for (const location of PROBE_LOCATIONS) assert.ok(isProbeLocation(location));
  for (const other of ['mlp', 'hook_mlp_in', 'resid', 'RESID_PRE', '', undefined, 3]) assert.ok(!isProbeLocation(other), String(other));
});

test('LOCATION_TABLE describes every location, and nothing else', () => {
  assert.deepEqual(Object.keys(LOCATION_TABLE).sort(), [...PROBE_LOCATIONS].sort());
  for (const location of PROBE_LOCATIONS) {
    const info = LOCATION_TABLE[location];
    assert.ok(info.description.length > 10, location);
    // TransformerLens hook points per block: blocks.{l}.<hook>, and the hook is named like the location
    // where TransformerLens has a hook of that name.
    assert.match(info.transformerLens, /^blocks\.\{l\}\.[a-z0-9_.]+$/, location);
    if (location !== 'mlp_in') assert.equal(info.transformerLens, `blocks.{l}.hook_${location}`, location);
  }
  const hooks = PROBE_LOCATIONS.map((l) => LOCATION_TABLE[l].transformerLens);
  assert.equal(new Set(hooks).size, hooks.length, 'no two locations are the same hook');
});

test('names in the reference (LLMsKnow --probe_at) and in TransformerLens', () => {
  const row = (location: keyof typeof LOCATION_TABLE) => {
    const { reference, transformerLens } = LOCATION_TABLE[location];
    return { reference, transformerLens };
  };
  assert.deepEqual(row('mlp_out'), { reference: 'mlp', transformerLens: 'blocks.{l}.hook_mlp_out' });
  assert.deepEqual(row('resid_post'), { reference: null, transformerLens: 'blocks.{l}.hook_resid_post' });
  // The reference's mlp_last_layer_only_input hooks the MLP module's input: the post-attention norm output.
  assert.deepEqual(row('mlp_in'), { reference: 'mlp_last_layer_only_input', transformerLens: 'blocks.{l}.ln2.hook_normalized' });
  assert.deepEqual(row('attn_out'), { reference: 'attention_output', transformerLens: 'blocks.{l}.hook_attn_out' });
  assert.deepEqual(row('resid_pre'), { reference: null, transformerLens: 'blocks.{l}.hook_resid_pre' });
  assert.deepEqual(row('resid_mid'), { reference: null, transformerLens: 'blocks.{l}.hook_resid_mid' });
  // TransformerLens's hook_mlp_in is resid_mid (before ln2), not mlp_in: both notes say so.
  assert.match(LOCATION_TABLE.mlp_in.note!, /hook_mlp_in.*resid_mid/);
  assert.match(LOCATION_TABLE.resid_mid.note!, /hook_mlp_in/);
  assert.ok(!Object.values(LOCATION_TABLE).some((info) => info.transformerLens.endsWith('hook_mlp_in')));
  // The residual stream in Hugging Face terms: layer l's output is hidden_states[l + 1], its input hidden_states[l].
  assert.match(LOCATION_TABLE.resid_post.note!, /hidden_states\[l \+ 1\]/);
  assert.match(LOCATION_TABLE.resid_pre.note!, /hidden_states\[l\]/);
  assert.match(LOCATION_TABLE.resid_pre.description, /embedding/);
  assert.match(LOCATION_TABLE.resid_mid.description, /sequential blocks only/);
});

test('describeLocation names the location and both counterparts', () => {
  assert.equal(
    describeLocation('mlp_in'),
    "mlp_in: input of the MLP module: the post-attention norm's output (reference: mlp_last_layer_only_input; TransformerLens: blocks.{l}.ln2.hook_normalized)",
  );
  assert.match(describeLocation('resid_mid'), /^resid_mid: .*\(no reference name; TransformerLens: blocks\.\{l\}\.hook_resid_mid\)$/);
  for (const location of PROBE_LOCATIONS) assert.ok(describeLocation(location).startsWith(`${location}: `));
});
