import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';

import { fields, readString } from '../../../src/core/onnx/wire';
import { attr, OnnxDataType, OnnxModelBuilder } from '../../../src/core/onnx/writer';
import { listNodes } from './onnxTestUtils';

/** x [batch, 3] → Add bias → LeakyRelu → reflect Pad → Transpose → Add Constant; plus a Softmax branch. */
function buildSampleModel(): OnnxModelBuilder {
  const b = new OnnxModelBuilder({ producerName: 'writer-test' });
  b.addInput('x', OnnxDataType.FLOAT, ['batch', 3]);
  b.addOutput('y', OnnxDataType.FLOAT, [5, 'batch']);
  b.addOutput('leaky'); // name only: ORT infers the type
  b.addOutput('probs', OnnxDataType.FLOAT, ['batch', 3]);
  b.addOutput('gathered', OnnxDataType.INT64, [2]);
  b.addOutput('table_diff', OnnxDataType.INT64, [3]);
  b.addFloatInitializer('bias', [3], [1, -2, 0.5]);
  b.addInt64Initializer('pads', [4], [0, 1, 0, 1]);
  b.addInt64Initializer('table', [3], [-5n, 2 ** 40, 7]);
  b.addInt64Initializer('picks', [2], [-1, 1]); // negative indices exercise the two's-complement encoding
  b.addNode({ opType: 'Add', inputs: ['x', 'bias'], outputs: ['shifted'], name: 'add_bias' });
  b.addNode({ opType: 'LeakyRelu', inputs: ['shifted'], outputs: ['leaky'], attributes: { alpha: attr.float(0.25) } });
  b.addNode({ opType: 'Pad', inputs: ['leaky', 'pads'], outputs: ['padded'], attributes: { mode: attr.string('reflect') } });
  b.addNode({ opType: 'Transpose', inputs: ['padded'], outputs: ['transposed'], attributes: { perm: attr.ints([1, 0]) } });
  b.addNode({ opType: 'Constant', inputs: [], outputs: ['offsets'], attributes: { value_floats: attr.floats([10, 20]) } });
  b.addNode({ opType: 'Add', inputs: ['transposed', 'offsets'], outputs: ['y'] });
  b.addNode({ opType: 'Softmax', inputs: ['x'], outputs: ['probs'], attributes: { axis: attr.int(-1) } });
  b.addNode({
    opType: 'Constant',
    inputs: [],
    outputs: ['table_copy'],
    attributes: { value: attr.tensor({ dataType: OnnxDataType.INT64, dims: [3], data: [-5, 2 ** 40, 7] }) },
  });
  b.addNode({ opType: 'Gather', inputs: ['table_copy', 'picks'], outputs: ['gathered'], attributes: { axis: attr.int(0) } });
  b.addNode({ opType: 'Sub', inputs: ['table', 'table_copy'], outputs: ['table_diff'] }); // initializer == Constant
  return b;
}

describe('OnnxModelBuilder', () => {
  it('writes a model onnxruntime runs, with int, ints, float, floats, string and tensor attributes', async () => {
    const session = await ort.InferenceSession.create(buildSampleModel().toBytes());
    const x = Float32Array.from([1, 2, 3, -4, 0, 4]);
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3]) });

    const leaky = [2, 0, 3.5, -3 * 0.25, -2 * 0.25, 4.5]; // x + bias, negatives × 0.25
    assert.deepEqual(out.leaky.dims, [2, 3]);
    assert.equal(out.leaky.type, 'float32');
    assert.deepEqual(Array.from(out.leaky.data as Float32Array), leaky);

    // Reflect-pad each row by one on both sides, transpose to [5, 2], add [10, 20] per column.
    const padded = [leaky.slice(0, 3), leaky.slice(3)].map((r) => [r[1], ...r, r[1]]);
    const expected = [0, 1, 2, 3, 4].flatMap((i) => [padded[0][i] + 10, padded[1][i] + 20]);
    assert.deepEqual(out.y.dims, [5, 2]);
    const y = Array.from(out.y.data as Float32Array);
    expected.forEach((v, i) => assert.ok(Math.abs(y[i] - v) < 1e-6, `y[${i}] = ${y[i]}, expected ${v}`));

    const probs = Array.from(out.probs.data as Float32Array);
    const row0 = [1, 2, 3].map((v) => Math.exp(v));
    const sum0 = row0.reduce((a, b) => a + b, 0);
    row0.forEach((v, i) => assert.ok(Math.abs(probs[i] - v / sum0) < 1e-6));

    assert.deepEqual(Array.from(out.gathered.data as BigInt64Array), [7n, 2n ** 40n]);
    assert.deepEqual(Array.from(out.table_diff.data as BigInt64Array), [0n, 0n, 0n]);
    await session.release();
  });

  it('runs int64 initializers and declared int64 inputs through onnxruntime exactly', async () => {
    const b = new OnnxModelBuilder();
    b.addInput('ids', OnnxDataType.INT64, ['n']).addOutput('sum', OnnxDataType.INT64, ['n']);
    b.addInt64Initializer('offset', [1], [-(2n ** 40n)]);
    b.addNode({ opType: 'Add', inputs: ['ids', 'offset'], outputs: ['sum'] });
    const session = await ort.InferenceSession.create(b.toBytes());
    const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from([0n, 3n, -1n]), [3]) });
    assert.deepEqual(Array.from(out.sum.data as BigInt64Array), [-(2n ** 40n), 3n - 2n ** 40n, -1n - 2n ** 40n]);
    await session.release();
  });

  it('writes ir_version 8, opset 17 for the default domain, extra opsets, and named nodes', () => {
    const builder = buildSampleModel().addOpset('com.microsoft', 1);
    const bytes = builder.toBytes();
    const top = [...fields(bytes)];
    const irVersion = top.find((f) => f.field === 1);
    assert.equal(irVersion?.varint, 8);
    const opsets = top
      .filter((f) => f.field === 8)
      .map((f) => {
        const inner = [...fields(bytes, f.dataStart, f.dataEnd)];
        const domain = inner.find((g) => g.field === 1);
        return [domain ? readString(bytes, domain) : '', inner.find((g) => g.field === 2)?.varint];
      });
    assert.deepEqual(opsets, [
      ['', 17],
      ['com.microsoft', 1],
    ]);
    const nodes = listNodes(bytes);
    assert.equal(nodes.length, builder.nodeCount);
    assert.deepEqual(nodes[0], { name: 'add_bias', opType: 'Add', inputs: ['x', 'bias'], outputs: ['shifted'] });
  });

  it('is deterministic: the same calls give the same bytes', () => {
    assert.deepEqual(buildSampleModel().toBytes(), buildSampleModel().toBytes());
  });

  it('rejects data that does not fit the dims, and duplicate initializers', () => {
    const b = new OnnxModelBuilder();
    assert.throws(() => b.addFloatInitializer('w', [2, 2], [1, 2, 3]), /3 values for dims \[2, 2\]/);
    b.addFloatInitializer('w', [1], [1]);
    assert.throws(() => b.addFloatInitializer('w', [1], [1]), /defined twice/);
  });
});
