import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatCount, formatDuration, formatElapsed, formatRate } from '../../../src/core/progress/formatTiming';

test('counts have thousands separators', () => {
  assert.equal(formatCount(4000), '4,000');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(12.7), '12');
});

test('durations: seconds to 90 s (in fives above 10 s), minutes to an hour, then hours and minutes', () => {
  assert.deepEqual(
    [0.2, 7.3, 33, 88, 125, 59 * 60, 3600, 3600 + 20 * 60, 26 * 3600].map(formatDuration),
    ['1 s', '8 s', '35 s', '90 s', '2 min', '59 min', '1 h', '1 h 20 min', '26 h'],
  );
});

test('elapsed times keep tenths below 10 s', () => {
  assert.equal(formatElapsed(3.42), '3.4 s');
  assert.equal(formatElapsed(47), '45 s');
});

test('rates: whole numbers from 10/s, tenths from 1/s, per minute below', () => {
  assert.equal(formatRate(85.4, 'rows'), '85 rows/s');
  assert.equal(formatRate(12_345, 'rows'), '12,345 rows/s');
  assert.equal(formatRate(2.44, 'probes'), '2.4 probes/s');
  assert.equal(formatRate(0.5, 'answers'), '30 answers/min');
  assert.equal(formatRate(0.01, 'answers'), '0.6 answers/min');
});
