import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { providerView } from '../../../src/extension/providerView';

describe('the execution-provider status (providerView)', () => {
  it('auto on a CPU-only machine is neutral: cpu is all the machine offers', () => {
    const v = providerView('auto', 'cpu', ['cuda', 'cpu']);
    assert.equal(v.warning, false);
    assert.equal(v.icon, 'chip');
    assert.equal(v.text, 'Layer Probe: cpu');
    assert.equal(v.tooltip, 'Asked for: auto (the first GPU provider that starts: cuda → webgpu → dml/coreml, else cpu); tried cuda → cpu; used: cpu (cuda not available here).');
  });

  it('auto that got the GPU, and cpu asked for by name, are neutral', () => {
    assert.deepEqual(providerView('auto', 'cuda', ['cuda']), {
      icon: 'chip',
      text: 'Layer Probe: cuda',
      tooltip: 'Asked for: auto (the first GPU provider that starts: cuda → webgpu → dml/coreml, else cpu); tried cuda; used: cuda.',
      warning: false,
    });
    const cpu = providerView('cpu', 'cpu', ['cpu']);
    assert.equal(cpu.warning, false);
    assert.equal(cpu.tooltip, 'Asked for: cpu; tried cpu; used: cpu.');
  });

  it('a GPU provider asked for by name and got is neutral; asked for and not got is the one warning', () => {
    assert.equal(providerView('cuda', 'cuda', ['cuda']).warning, false);
    assert.equal(providerView('dml', 'dml', ['dml']).warning, false);
    const v = providerView('cuda', 'cpu', ['cuda', 'cpu']);
    assert.equal(v.warning, true);
    assert.equal(v.icon, 'warning');
    assert.equal(v.text, 'Layer Probe: cpu');
    assert.equal(v.tooltip, 'Asked for: cuda; tried cuda → cpu; used: cpu (cuda not available here). The forward passes did not run on the cuda you asked for.');
    assert.equal(providerView('coreml', 'cpu', ['coreml', 'cpu']).warning, true);
  });

  it('a run read wholly from the cache ran no forward pass: neutral, saying which provider computed the cache', () => {
    const v = providerView('cuda', 'cpu', []);
    assert.equal(v.warning, false);
    assert.equal(v.text, 'Layer Probe: cpu (cached)');
    assert.equal(v.tooltip, 'Asked for: cuda. The last probing run read every activation from the cache, computed earlier with cpu; it ran no forward pass.');
    assert.equal(providerView('auto', 'cpu+cuda', []).text, 'Layer Probe: cpu+cuda (cached)');
  });
});
