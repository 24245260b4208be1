// Small helpers for the demo tests: run an ONNX model from bytes, and list a ModelProto's nodes by
// walking the wire format (independent of the project's graph reader, which is tested elsewhere).

import * as ort from 'onnxruntime-node';

import { fields, readString } from '../../../src/core/onnx/wire';

export interface ListedNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
}

/** Nodes of ModelProto.graph (field 7), in file order. */
export function listNodes(model: Uint8Array): ListedNode[] {
  const nodes: ListedNode[] = [];
  for (const g of fields(model)) {
    if (g.field !== 7) continue;
    for (const n of fields(model, g.dataStart, g.dataEnd)) {
      if (n.field !== 1) continue;
      const node: ListedNode = { name: '', opType: '', inputs: [], outputs: [] };
      for (const f of fields(model, n.dataStart, n.dataEnd)) {
        if (f.field === 1) node.inputs.push(readString(model, f));
        else if (f.field === 2) node.outputs.push(readString(model, f));
        else if (f.field === 3) node.name = readString(model, f);
        else if (f.field === 4) node.opType = readString(model, f);
      }
      nodes.push(node);
    }
  }
  return nodes;
}

/** Int64 [batch, seq] tensors for a decoder: right padding with `padId`, mask, positions 0…seq-1. */
export function decoderFeeds(sequences: readonly number[][], padId: number, seqLen?: number): Record<string, ort.Tensor> {
  const S = seqLen ?? Math.max(...sequences.map((s) => s.length));
  const B = sequences.length;
  const ids = new BigInt64Array(B * S);
  const mask = new BigInt64Array(B * S);
  const pos = new BigInt64Array(B * S);
  sequences.forEach((seq, b) => {
    for (let t = 0; t < S; t++) {
      ids[b * S + t] = BigInt(t < seq.length ? seq[t] : padId);
      mask[b * S + t] = t < seq.length ? 1n : 0n;
      pos[b * S + t] = BigInt(t);
    }
  });
  return {
    input_ids: new ort.Tensor('int64', ids, [B, S]),
    attention_mask: new ort.Tensor('int64', mask, [B, S]),
    position_ids: new ort.Tensor('int64', pos, [B, S]),
  };
}

/** Largest |a[i] - b[i]| over two equally long ranges. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
