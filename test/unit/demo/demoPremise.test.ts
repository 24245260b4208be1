// The demo's premise, checked with our own positions and probes (independent of the pipeline, whose
// run on the demo is tested in demoPattern.test.ts): correctness depends only on the answer word, so
// under causal attention a probe is at chance before it and near-perfect at and after it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TOKEN_POSITIONS, type TokenPositionName } from '../../../src/contract/types';
import { buildDemoTokenizer } from '../../../src/demo/demoTokenizer';
import { type CheckLocation, formatAucTable, preparePremiseRows, runPremiseCheck } from './premiseCheck';

const BEFORE_ANSWER: TokenPositionName[] = ['last_q', 'first_answer', 'second_answer', 'exact_answer_before_first', '-8', '-7', '-6', '-5'];
const index = (name: TokenPositionName): number => TOKEN_POSITIONS.indexOf(name);

describe('demo premise', () => {
  it('places the 15 positions as the reference does on the demo rows', () => {
    const files = buildDemoTokenizer();
    // Byte tokens have id = byte value: 10 is the newline, 46 the full stop.
    for (const row of preparePremiseRows({ numRows: 100 })) {
      const at = (name: TokenPositionName): number => row.positions[index(name)];
      assert.equal(row.ids[at('-1')], 10, 'the stop token (newline)');
      assert.equal(row.ids[at('exact_answer_after_last')], 46);
      assert.equal(at('exact_answer_before_first'), at('first_answer') + 2);
      for (const name of BEFORE_ANSWER) assert.ok(at(name) < at('exact_answer_first'), name);
      assert.ok(row.ids.every((id) => id < files.vocabSize));
    }
  });

  // One forward pass over the demo dataset serves both locations; only the positions with a rule are probed.
  const locations: CheckLocation[] = ['mlpOut', 'residPost'];
  const positions = [...BEFORE_ANSWER, 'exact_answer_last', 'exact_answer_after_last', '-1'].map((n) => index(n as TokenPositionName));
  let check: ReturnType<typeof runPremiseCheck> | undefined;

  for (const location of locations) {
    it(`${location}: chance before the answer, ≥ 0.9 at its last token and the next, ≥ 0.75 at -1, in every layer`, async () => {
      check ??= runPremiseCheck({}, { locations, positions });
      const table = (await check).auc[location];
      const report = `\n${formatAucTable(table)}`;
      table.forEach((row, layer) => {
        for (const name of BEFORE_ANSWER) {
          assert.ok(Math.abs(row[index(name)] - 0.5) <= 0.1, `layer ${layer} ${name}: ${row[index(name)]}${report}`);
        }
        for (const name of ['exact_answer_last', 'exact_answer_after_last'] as const) {
          assert.ok(row[index(name)] >= 0.9, `layer ${layer} ${name}: ${row[index(name)]}${report}`);
        }
        assert.ok(row[index('-1')] >= 0.75, `layer ${layer} -1: ${row[index('-1')]}${report}`);
      });
    });
  }
});
