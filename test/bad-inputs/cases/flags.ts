// Bad command lines: empty, negative, non-numeric and out-of-range values, unknown choices and flags,
// extra or missing positionals, unknown commands; and the other commands' file arguments.
import * as path from 'node:path';

import type { BadCase } from '../harness';
import { goodRows, jsonl, mkfifo, MODEL, probe, put } from '../makers';

const withData = (dir: string): void => { put(dir, 'data.jsonl', jsonl(goodRows())); };

function flag(id: string, extra: string[], says: (string | RegExp)[], expect: BadCase['expect'] = 'refused'): BadCase {
  return { id: `flag/${id}`, setup: withData, args: () => probe('data.jsonl', extra), expect, says };
}
function command(id: string, args: string[], says: (string | RegExp)[], setup: (dir: string) => void = withData): BadCase {
  return { id: `command/${id}`, setup, args: () => args, expect: 'refused', says };
}

export const flagCases: BadCase[] = [
  flag('encoding-unknown', ['--encoding', 'utf16'], [/--encoding must be one of utf-8, utf-16le, utf-16be, windows-1252, latin1/]),
  flag('encoding-empty', ['--encoding='], [/--encoding/]),
  flag('samples-empty', ['--samples='], [/--samples/]),
  flag('samples-negative', ['--samples', '-1'], [/--samples/]),
  flag('samples-word', ['--samples', 'many'], [/--samples/]),
  flag('samples-fraction', ['--samples', '1.5'], [/--samples/]),
  flag('samples-overflow', ['--samples', '1e400'], [/--samples/]),
  flag('samples-hex', ['--samples', '0x10'], [/--samples/]),
  flag('test-fraction-binary', ['--test-fraction', '0b1'], [/--test-fraction/]),
  flag('samples-missing-value', ['--samples'], [/--samples/]),
  flag('seed-empty', ['--seed='], [/--seed/]),
  flag('seed-negative', ['--seed', '-3'], [/--seed/]),
  flag('seed-fraction', ['--seed', '1.5'], [/--seed/]),
  flag('seed-beyond-safe-integer', ['--seed', '99999999999999999999'], [/seed must be an integer/]),
  flag('seed-word', ['--seed', 'abc'], [/--seed/]),
  flag('test-fraction-zero', ['--test-fraction', '0'], [/--test-fraction/]),
  flag('test-fraction-one', ['--test-fraction', '1'], [/--test-fraction/]),
  flag('test-fraction-above-one', ['--test-fraction', '1.5'], [/--test-fraction/]),
  flag('test-fraction-negative', ['--test-fraction', '-0.2'], [/--test-fraction/]),
  flag('test-fraction-word', ['--test-fraction', 'half'], [/--test-fraction/]),
  flag('test-fraction-nan', ['--test-fraction', 'NaN'], [/--test-fraction/]),
  flag('batch-memory-zero', ['--batch-memory', '0'], [/--batch-memory/]),
  flag('batch-memory-below-minimum', ['--batch-memory', '1'], [/--batch-memory/]),
  flag('batch-memory-word', ['--batch-memory', 'lots'], [/--batch-memory/]),
  flag('batch-memory-infinity', ['--batch-memory', 'Infinity'], [/--batch-memory/]),
  flag('max-dataset-mb-zero', ['--max-dataset-mb', '0'], [/--max-dataset-mb/]),
  flag('max-dataset-mb-negative', ['--max-dataset-mb', '-5'], [/--max-dataset-mb/]),
  flag('max-dataset-mb-empty', ['--max-dataset-mb='], [/--max-dataset-mb/]),
  flag('probe-workers-empty', ['--probe-workers='], [/--probe-workers must be a number, got nothing/]),
  flag('probe-workers-negative', ['--probe-workers=-2'], [/--probe-workers must be an integer ≥ 0/]),
  flag('probe-workers-fraction', ['--probe-workers', '1.5'], [/--probe-workers must be an integer ≥ 0, got "1.5"/]),
  flag('probe-workers-above-limit', ['--probe-workers', '65'], [/--probe-workers must be at most 64, got "65"/]),
  flag('location-unknown', ['--location', 'bogus'], [/--location/, /bogus/]),
  flag('location-empty', ['--location='], [/--location/]),
  flag('locations-one-unknown', ['--locations', 'mlp_out,bogus'], [/--locations/, /bogus/]),
  flag('provider-unknown', ['--provider', 'tpu'], [/--provider/, /tpu/]),
  flag('cache-dtype-unknown', ['--cache-dtype', 'int8'], [/--cache-dtype/, /int8/]),
  flag('chat-template-unknown', ['--chat-template', 'maybe'], [/--chat-template/]),
  flag('dataset-kind-unknown', ['--dataset-kind', 'quiz'], [/--dataset-kind/]),
  flag('model-kind-unknown', ['--model-kind', 'large'], [/--model-kind/]),
  flag('columns-missing-column', ['--columns', 'prompt=nothere'], [/nothere/]),
  flag('columns-no-equals', ['--columns', 'prompt'], [/--columns/]),
  flag('columns-unknown-role', ['--columns', 'flavour=question'], [/flavour/]),
  flag('columns-empty', ['--columns='], [], 'accepted'),
  flag('boolean-flag-with-value', ['--quiet=yes'], [/--quiet/]),
  flag('unknown-flag', ['--frobnicate'], [/--frobnicate/]),
  flag('unknown-short-flag', ['-z'], [/-z/]),
  flag('misspelled-flag', ['--sample', '5'], [/--sample\b/]),
  flag('extra-positional', ['more.jsonl'], [/more\.jsonl/]),
  flag('extraction-model-missing', ['--extraction-model', 'nowhere'], [], 'accepted'),
  command('no-dataset', ['probe', '--model', MODEL, '--out', 'out'], [/dataset/]),
  command('unknown-command', ['probee', 'data.jsonl'], [/probee|Usage/]),
  command('no-command', [], [/Usage|command/]),
  command('judge-missing-file', ['judge', 'nothere.jsonl'], ['nothere.jsonl']),
  command('judge-fifo', ['judge', 'pipe.jsonl'], ['pipe.jsonl'], (d) => { withData(d); mkfifo(path.join(d, 'pipe.jsonl')); }),
  command('compare-missing-results', ['compare', 'a/result.json', 'b/result.json', '--out', 'out'], ['a/result.json']),
  command('compare-not-results', ['compare', 'data.jsonl', 'data.jsonl', '--out', 'out'], ['data.jsonl']),
  command('compare-dev-zero', ['compare', '/dev/zero', '/dev/zero', '--out', 'out'], ['/dev/zero', /not a regular file/]),
  command('cache-dir-is-a-file', ['cache', 'data.jsonl'], ['data.jsonl', /not a folder/]),
  command('runs-dir-is-a-file', ['runs', 'data.jsonl'], ['data.jsonl', /not a folder/]),
  command('generate-missing-questions', ['generate', 'nothere.jsonl', '--model', MODEL, '--out', 'out/answers.jsonl'], ['nothere.jsonl']),
  command('generate-dev-zero', ['generate', '/dev/zero', '--model', MODEL, '--out', 'out/answers.jsonl'], ['/dev/zero']),
];
