// Python semantics the rules depend on; expectations are CPython 3.11's output.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  lowerFind,
  pyFloatStr,
  pyIndexJoin,
  pyIntStr,
  pyReprStr,
  pyReprStrList,
  pyRoundStr,
  pySplitWhitespace,
  pyStrip,
  pyStripChars,
} from '../../../../src/core/generate/kinds/pythonText';

describe('Python number formatting', () => {
  it('str(float): repr digits, ".0" when integral, scientific outside 1e-4 … 1e16', () => {
    const cases: [number, string][] = [
      [9, '9.0'],
      [2.5, '2.5'],
      [0.1 + 0.2, '0.30000000000000004'],
      [-0, '-0.0'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [1.5e16, '1.5e+16'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [123.456, '123.456'],
      [5e-324, '5e-324'],
    ];
    for (const [x, expected] of cases) assert.equal(pyFloatStr(x), expected, String(x));
  });

  it('str(int(x)) truncates; str(round(x)) rounds half to even', () => {
    assert.deepEqual([2.5, -2.5, 9.99, 1e20].map(pyIntStr), ['2', '-2', '9', '100000000000000000000']);
    assert.deepEqual([0.5, 1.5, 2.5, 3.5, -2.5, -0.4, 2.6].map(pyRoundStr), ['0', '2', '2', '4', '-2', '0', '3']);
  });
});

describe('Python string operations', () => {
  it("strip() and split() use Python's whitespace", () => {
    assert.equal(pyStrip('\x1c Paris\u00a0\n'), 'Paris');
    assert.equal(pyStrip('\ufeffParis'), '\ufeffParis');
    assert.deepEqual(pySplitWhitespace('  a \t b\n'), ['a', 'b']);
    assert.deepEqual(pySplitWhitespace('   '), []);
  });

  it('strip(chars) removes a set of characters', () => {
    assert.equal(pyStripChars('</s>positive.</s>', '.</s>'), 'positive');
    assert.equal(pyStripChars('sassy', '.</s>'), 'assy');
  });

  it('find and item access count code points', () => {
    assert.equal(lowerFind('😀 PARIS', 'paris'), 2);
    assert.equal(pyIndexJoin('abc', -1, 3), 'cab');
    assert.equal(pyIndexJoin('abc', -1, 5), undefined);
    assert.equal(pyIndexJoin('', -1, 1), undefined);
  });

  it('repr of str and lists of str', () => {
    assert.equal(pyReprStr('Paris'), "'Paris'");
    assert.equal(pyReprStr("O'Hare"), `"O'Hare"`);
    assert.equal(pyReprStr(`it's "x"`), `'it\\'s "x"'`);
    assert.equal(pyReprStr('a\nb\u0007é'), "'a\\nb\\x07é'");
    assert.equal(pyReprStrList(['Paris', 'Lutetia']), "['Paris', 'Lutetia']");
  });
});
