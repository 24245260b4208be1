import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it, test } from 'node:test';

import { listSupportedBackends } from 'onnxruntime-node';

import { runOptions } from '../../../src/contract/runOptions';
import { ActivationSession } from '../../../src/core/model/activationSession';
import {
  detectProviderMachine,
  hasGpuDeviceNode,
  isGpuProvider,
  providerFailureHint,
  providerOrder,
  providerPlan,
} from '../../../src/core/model/executionProviders';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { DEFAULT_RUNS_DIR_NAME } from '../../../src/storage/runFolders';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from '../pipeline/plantedDataset';

const ALL = { backends: ['cpu', 'cuda', 'webgpu', 'dml', 'coreml'], gpuDevice: true };
const NOT_IN_BUILD = (p: string): string => `${p}: not in this onnxruntime-node build (listSupportedBackends)`;
const NO_DEVICE =
  'webgpu: no GPU device (/dev/dri/renderD*, /dev/nvidia*); a software Vulkan device is slower than cpu (ask for webgpu by name to use it anyway)';
const LINUX_ADAPTER_HINT =
  " — no WebGPU adapter: Dawn needs a Vulkan driver (the GPU vendor's driver with its Vulkan ICD, NVIDIA's with libglvnd0, libglx0 and libegl1; or a recent Mesa: Debian 12's Mesa 22.3 is refused, mesa-vulkan-drivers 25 from bookworm-backports works, plus libvulkan1); `vulkaninfo --summary` (vulkan-tools) lists the devices Dawn can see";
const CUDA_HINT = ' — CUDA libraries missing: reinstall onnxruntime-node with its install script (see README, "Execution providers")';
// onnxruntime-node 1.30's own message when Dawn finds no adapter (webgpu_context.cc).
const NO_ADAPTER = 'Failed to get a WebGPU adapter: No supported adapters';
const MODEL = fixtureModel('tiny-llama-unfused-extdata');

describe('auto: the order tried', () => {
  it('is CUDA → WebGPU → DirectML/CoreML → CPU per platform when the build lists them all', () => {
    assert.deepEqual(providerPlan('auto', 'linux', ALL), { order: ['cuda', 'webgpu', 'cpu'], skipped: [] });
    assert.deepEqual(providerPlan('auto', 'win32', ALL), { order: ['cuda', 'webgpu', 'dml', 'cpu'], skipped: [] });
    // No CUDA build of onnxruntime for macOS.
    assert.deepEqual(providerPlan('auto', 'darwin', ALL), { order: ['webgpu', 'coreml', 'cpu'], skipped: [] });
    // A platform with no GPU provider in the table: CPU alone.
    assert.deepEqual(providerPlan('auto', 'freebsd', ALL), { order: ['cpu'], skipped: [] });
    assert.deepEqual(providerOrder('auto', 'win32', ALL), ['cuda', 'webgpu', 'dml', 'cpu']);
  });

  it('leaves out, and says so, every provider this onnxruntime-node build does not list', () => {
    assert.deepEqual(providerPlan('auto', 'linux', { backends: ['cpu', 'webgpu'], gpuDevice: true }), {
      order: ['webgpu', 'cpu'],
      skipped: [NOT_IN_BUILD('cuda')],
    });
    assert.deepEqual(providerPlan('auto', 'win32', { backends: ['cpu', 'dml'], gpuDevice: true }), {
      order: ['dml', 'cpu'],
      skipped: [NOT_IN_BUILD('cuda'), NOT_IN_BUILD('webgpu')],
    });
    assert.deepEqual(providerPlan('auto', 'darwin', { backends: ['cpu'], gpuDevice: true }), {
      order: ['cpu'],
      skipped: [NOT_IN_BUILD('webgpu'), NOT_IN_BUILD('coreml')],
    });
  });

  it('skips WebGPU on Linux without a GPU device node, and only on Linux', () => {
    const noDevice = { backends: ALL.backends, gpuDevice: false };
    assert.deepEqual(providerPlan('auto', 'linux', noDevice), { order: ['cuda', 'cpu'], skipped: [NO_DEVICE] });
    // Not listed beats no device: the one reason given is the first that applies.
    assert.deepEqual(providerPlan('auto', 'linux', { backends: ['cpu'], gpuDevice: false }), {
      order: ['cpu'],
      skipped: [NOT_IN_BUILD('cuda'), NOT_IN_BUILD('webgpu')],
    });
    // detectProviderMachine says true off Linux, but the plan does not rely on it there.
    assert.deepEqual(providerPlan('auto', 'win32', noDevice).order, ['cuda', 'webgpu', 'dml', 'cpu']);
    assert.deepEqual(providerPlan('auto', 'darwin', noDevice).order, ['webgpu', 'coreml', 'cpu']);
  });

  it('an explicit choice is tried alone, whatever the build lists or the device nodes say', () => {
    const nothing = { backends: [], gpuDevice: false };
    for (const choice of ['cpu', 'cuda', 'webgpu', 'dml', 'coreml'] as const) {
      assert.deepEqual(providerPlan(choice, 'linux', nothing), { order: [choice], skipped: [] });
    }
  });

  it('reads the real build: onnxruntime-node 1.30 on Linux x64 bundles cpu and webgpu and lists cuda', () => {
    const machine = detectProviderMachine();
    assert.deepEqual(machine.backends, listSupportedBackends().map((b) => b.name));
    if (process.platform === 'linux' && process.arch === 'x64') {
      for (const name of ['cpu', 'webgpu', 'cuda']) assert.ok(machine.backends.includes(name), machine.backends.join(', '));
      const bundled = listSupportedBackends().filter((b) => b.bundled).map((b) => b.name);
      assert.deepEqual(bundled.sort(), ['cpu', 'webgpu']);
    }
    assert.equal(machine.gpuDevice, hasGpuDeviceNode());
  });
});

test('the GPU device node check looks for /dev/dri/renderD* and /dev/nvidia*', () => {
  const dev = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-dev-'));
  assert.equal(hasGpuDeviceNode('linux', dev), false);
  fs.mkdirSync(path.join(dev, 'dri'));
  // A display-only card node is not a render node: Dawn cannot compute on it.
  fs.writeFileSync(path.join(dev, 'dri', 'card0'), '');
  assert.equal(hasGpuDeviceNode('linux', dev), false);
  fs.writeFileSync(path.join(dev, 'dri', 'renderD128'), '');
  assert.equal(hasGpuDeviceNode('linux', dev), true);
  const nvidia = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-dev-'));
  fs.writeFileSync(path.join(nvidia, 'nvidia0'), '');
  assert.equal(hasGpuDeviceNode('linux', nvidia), true);
  assert.equal(hasGpuDeviceNode('linux', path.join(dev, 'missing')), false);
  // Off Linux there are no such nodes to look for; the driver answers at the adapter request.
  assert.equal(hasGpuDeviceNode('win32', path.join(dev, 'missing')), true);
  assert.equal(hasGpuDeviceNode('darwin', path.join(dev, 'missing')), true);
});

test('failure hints name the missing driver or libraries, and only for the failures they explain', () => {
  assert.equal(providerFailureHint('webgpu', NO_ADAPTER, 'linux'), LINUX_ADAPTER_HINT);
  const elsewhere = ' — no WebGPU adapter: install or update the GPU driver (D3D12 on Windows, Metal on macOS)';
  assert.equal(providerFailureHint('webgpu', NO_ADAPTER, 'win32'), elsewhere);
  assert.equal(providerFailureHint('webgpu', NO_ADAPTER, 'darwin'), elsewhere);
  assert.equal(providerFailureHint('cuda', 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library', 'linux'), CUDA_HINT);
  // Other failures (an unsupported node, a bad model) keep onnxruntime's message alone.
  assert.equal(providerFailureHint('webgpu', 'Could not find an implementation for Foo(1) node with name x', 'linux'), '');
  assert.equal(providerFailureHint('dml', NO_ADAPTER, 'win32'), '');
  assert.equal(providerFailureHint('cpu', 'Protobuf parsing failed', 'linux'), '');
});

test('isGpuProvider: every provider but cpu (and none) moves the probe kernels', () => {
  assert.deepEqual(['cpu', '', 'cuda', 'webgpu', 'dml', 'coreml'].map(isGpuProvider), [false, false, true, true, true, true]);
});

test('a provider that cannot start is recorded with its reason and hint, and the session runs on the next', async () => {
  // This build lists cuda but its libraries are not installed here (.npmrc: ignore-scripts).
  const session = await ActivationSession.open(MODEL, { locations: ['resid_post'], executionProviders: ['cuda', 'cpu'] });
  try {
    assert.equal(session.provider, 'cpu');
    assert.deepEqual(session.providerFallbacks, [`cuda: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library${CUDA_HINT}`]);
  } finally {
    await session.close();
  }
});

test('auto on this machine: what it skipped and why it fell back are logged, the provider used is recorded', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-provider-'));
  const logs: string[] = [];
  const result = await runProbe(
    { datasetFile: plantedDataset(dir, 60), options: runOptions({ modelFolder: MODEL, sampleLimit: 0, executionProvider: 'auto' }) },
    { log: (l) => logs.push(l) },
  );
  const all = logs.join('\n');
  if (process.platform !== 'linux') return;
  if (!detectProviderMachine().gpuDevice) {
    assert.ok(logs.includes(`execution provider skipped: ${NO_DEVICE}`), all);
    assert.ok(logs.includes(`execution provider fell back: cuda: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library${CUDA_HINT}`), all);
    assert.ok(logs.includes('execution provider cuda is not available here; running on cpu (tried cuda → cpu)'), all);
    assert.equal(result.model.provider, 'cpu');
    assert.deepEqual(result.model.providersTried, ['cuda', 'cpu']);
  } else {
    // A Linux machine with a GPU device node: webgpu is tried after cuda, and is what runs if Dawn gets an adapter.
    assert.ok(!logs.some((l) => l.startsWith('execution provider skipped: webgpu')), all);
    assert.deepEqual(result.model.providersTried.slice(0, 2), ['cuda', 'webgpu']);
  }
});

// Dawn reads the Vulkan loader's environment once per process, so the no-adapter cases run in a child
// process whose loader is pointed at a driver file that does not exist: the adapter request then fails
// exactly as on a machine without a Vulkan driver, whether or not this one has lavapipe.
const NO_VULKAN_ENV = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' };

test('without a Vulkan driver, the webgpu adapter request fails with a hint and auto\'s order goes on to cpu', () => {
  // The order auto tries on a Linux machine with a GPU device node, opened where Dawn finds no adapter.
  const script = `
    import { ActivationSession } from './src/core/model/activationSession.ts';
    import { providerPlan, detectProviderMachine } from './src/core/model/executionProviders.ts';
    const order = providerPlan('auto', 'linux', { backends: detectProviderMachine().backends, gpuDevice: true }).order;
    const s = await ActivationSession.open(${JSON.stringify(MODEL)}, { locations: ['resid_post'], executionProviders: order });
    const batch = await s.run([[1, 450, 383]]);
    console.log(JSON.stringify({ order, provider: s.provider, fallbacks: s.providerFallbacks, values: batch.activations.resid_post.length }));
    await s.close();`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: NO_VULKAN_ENV, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { order: string[]; provider: string; fallbacks: string[]; values: number };
  assert.deepEqual(out.order, ['cuda', 'webgpu', 'cpu']);
  assert.equal(out.provider, 'cpu');
  assert.equal(out.values, 4);
  assert.equal(out.fallbacks.length, 2);
  assert.equal(out.fallbacks[0], `cuda: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library${CUDA_HINT}`);
  assert.ok(out.fallbacks[1]!.startsWith('webgpu: '), out.fallbacks[1]);
  assert.ok(out.fallbacks[1]!.endsWith(`${NO_ADAPTER}${LINUX_ADAPTER_HINT}`), out.fallbacks[1]);
});

test('--provider webgpu without a Vulkan driver is an error naming the model, the adapter request and the fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-provider-'));
  const child = spawnSync(
    process.execPath,
    [path.resolve('dist', 'cli.js'), 'probe', plantedDataset(dir, 60), '--model', MODEL, '--provider', 'webgpu', '--samples', '0', '--cache-dir', path.join(dir, 'cache')],
    { cwd: dir, env: NO_VULKAN_ENV, encoding: 'utf8' },
  );
  assert.equal(child.status, 1, child.stderr);
  assert.match(child.stderr, /model\.onnx: onnxruntime could not load the model \(webgpu: /);
  assert.ok(child.stderr.includes(`${NO_ADAPTER}${LINUX_ADAPTER_HINT}`), child.stderr);
  // Tried alone: no silent CPU run, no result written.
  assert.ok(!child.stderr.includes('running on cpu'), child.stderr);
  // (The CLI's default run folder, layer-probe-runs/ in the working directory, is removed again.)
  assert.ok(!fs.readdirSync(dir).includes(DEFAULT_RUNS_DIR_NAME), fs.readdirSync(dir).join(', '));
});
