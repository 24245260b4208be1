import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';

import { runOptionFlags, runOptionsFromFlags } from '../../../src/cli/runFlags';
import { UsageError } from '../../../src/cli/usageError';
import {
  ACTIVATION_OPTION_KEYS,
  defaultRunOptions,
  effectiveSampleLimit,
  OptionError,
  type OptionRow,
  parseRunOptions,
  RUN_OPTION_KEYS,
  RUN_OPTIONS,
  SETTINGS_SECTION,
} from '../../../src/contract/runOptions';

interface SettingSchema {
  type: string | string[];
  default: unknown;
  enum?: string[];
  items?: { enum?: string[] };
  minimum?: number;
  description?: string;
  markdownDescription?: string;
}

const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};
const properties = manifest.contributes.configuration.properties;
const row = (key: (typeof RUN_OPTION_KEYS)[number]): OptionRow<unknown> => RUN_OPTIONS[key];

describe('the run options table', () => {
  it('package.json declares exactly the settings of the table, with the same defaults and choices', () => {
    const fromTable = RUN_OPTION_KEYS.flatMap((key) => (row(key).setting ? [`${SETTINGS_SECTION}.${row(key).setting}`] : []));
    assert.deepEqual(Object.keys(properties).sort(), fromTable.sort());
    for (const key of RUN_OPTION_KEYS) {
      const r = row(key);
      if (!r.setting) continue;
      const schema = properties[`${SETTINGS_SECTION}.${r.setting}`];
      assert.deepEqual(schema.default, r.default, `${r.setting}: package.json default`);
      const enumerated = schema.enum ?? schema.items?.enum;
      assert.deepEqual(enumerated, r.choices ? [...r.choices] : undefined, `${r.setting}: package.json enum`);
      assert.ok(schema.description ?? schema.markdownDescription, `${r.setting} has a description`);
      // The default VS Code shows must be one the table accepts.
      assert.deepEqual(r.parse(schema.default, 'setting'), r.default);
    }
  });

  it("the README's options table lists every option with its setting and flag", () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const rows = [...readme.matchAll(/^\| `(\w+)` \| `?([\w.]+|—)`? \| `(--[\w-]+)` \|/gm)].map((m) => [m[1], m[2], m[3]]);
    const expected = RUN_OPTION_KEYS.map((key) => [key, `${SETTINGS_SECTION}.${row(key).setting}`, `--${row(key).flag ?? row(key).negatedFlag}`]);
    assert.deepEqual(rows, expected);
  });

  it('defaults come from the table; an unset setting or flag keeps them', () => {
    const defaults = defaultRunOptions();
    assert.deepEqual(parseRunOptions({}, 'setting'), defaults);
    assert.deepEqual(runOptionsFromFlags({}), defaults);
    assert.equal(defaults.location, 'mlp_out');
    assert.equal(defaults.batchMemoryMB, 256);
    assert.equal(defaults.sampleLimit, null);
  });

  it('an invalid setting is refused with a message naming the setting (never a silent fallback)', () => {
    assert.throws(
      () => parseRunOptions({ testFraction: 1.5, location: 'mlp' }, 'setting'),
      (err: unknown) =>
        err instanceof OptionError &&
        /setting layerProbe\.location must be one of mlp_out, .*got "mlp"/.test(err.message) &&
        /setting layerProbe\.testFraction must be between 0 and 1 \(exclusive\), got 1\.5/.test(err.message),
    );
    assert.throws(() => parseRunOptions({ seed: -1 }, 'setting'), /layerProbe\.seed must be an integer ≥ 0, got -1/);
    assert.throws(() => parseRunOptions({ batchMemoryMB: 8 }, 'setting'), /layerProbe\.batchMemoryMB must be at least 16 MiB/);
    assert.throws(() => parseRunOptions({ extraLocations: ['mlp_out', 'bogus'] }, 'setting'), /layerProbe\.extraLocations must be one of/);
  });

  it('flags: text values parsed by the same rows; empty and malformed values are refused naming the flag', () => {
    const parsed = runOptionsFromFlags({ samples: '200', seed: '3', 'test-fraction': '0.25', locations: 'resid_post, attn_out', 'no-cache': true, 'add-generation-prompt': true });
    assert.equal(parsed.sampleLimit, 200);
    assert.equal(parsed.seed, 3);
    assert.equal(parsed.testFraction, 0.25);
    assert.deepEqual(parsed.extraLocations, ['resid_post', 'attn_out']);
    assert.equal(parsed.activationCache, false);
    assert.equal(parsed.addGenerationPrompt, true);
    for (const [flag, value, message] of [
      ['samples', '', /--samples must be a number, got nothing/],
      ['seed', '1.5', /--seed must be an integer ≥ 0, got "1\.5"/],
      ['test-fraction', '0', /--test-fraction must be between 0 and 1/],
      ['provider', 'gpu', /--provider must be one of auto, cpu, cuda, webgpu, dml, coreml, got "gpu"/],
      ['samples', '0x10', /--samples must be a number, got "0x10"/],
      ['test-fraction', '0b1', /--test-fraction must be a number, got "0b1"/],
      ['cache-dtype', 'bf16', /--cache-dtype must be one of auto, float32, float16, got "bf16"/],
    ] as const) {
      assert.throws(() => runOptionsFromFlags({ [flag]: value }), (err: unknown) => err instanceof UsageError && message.test(err.message), flag);
    }
  });

  it('every flag is declared to parseArgs once, booleans as booleans', () => {
    const flags = runOptionFlags();
    assert.equal(flags['add-generation-prompt'].type, 'boolean');
    assert.equal(flags['no-cache'].type, 'boolean');
    assert.equal(flags.samples.type, 'string');
    assert.equal(flags.model.type, 'string');
  });

  it('the activation-changing options are exactly the column of the table', () => {
    assert.deepEqual(ACTIVATION_OPTION_KEYS, ['modelFolder', 'location', 'encoding', 'cacheDtype', 'chatTemplate', 'addGenerationPrompt']);
  });

  it('the sample limit: explicit always wins; unset is 1000, or the whole split column', () => {
    assert.equal(effectiveSampleLimit(null, false), 1000);
    assert.equal(effectiveSampleLimit(null, true), 0);
    assert.equal(effectiveSampleLimit(50, true), 50);
    assert.equal(effectiveSampleLimit(0, false), 0);
  });
});
