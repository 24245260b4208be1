import * as fs from 'node:fs';
import * as path from 'node:path';

import { env as ortEnv, listSupportedBackends } from 'onnxruntime-node';

import { PROVIDER_CHOICES, type ProviderChoice } from '../../contract/runOptions';

/** What the user may choose (setting `layerProbe.executionProvider`, CLI `--provider`): the run options table's list. */
export { PROVIDER_CHOICES, type ProviderChoice };

// What `auto` tries, best first, per platform. CUDA needs its libraries fetched by onnxruntime-node's
// install script (`npm run install:cuda`; see README); WebGPU (Dawn: Vulkan on Linux, D3D12 on Windows,
// Metal on macOS) is bundled in onnxruntime-node ≥ 1.22 and needs only a GPU driver.
const AUTO_ORDER: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['cuda', 'webgpu'],
  win32: ['cuda', 'webgpu', 'dml'],
  darwin: ['webgpu', 'coreml'],
};

/** The machine facts `auto` decides on; injectable so the order is testable for every platform. */
export interface ProviderMachine {
  /** onnxruntime-node's listSupportedBackends() names: a provider it does not list is not in this build. */
  backends: string[];
  /**
   * Linux: whether a GPU device node exists (/dev/dri/renderD*, /dev/nvidia*). Without one, the only
   * WebGPU adapter Dawn can get is a software Vulkan device (lavapipe), slower than the CPU provider.
   */
  gpuDevice: boolean;
}

export interface ProviderPlan {
  /** Providers to try, in order; always ends with cpu for `auto`. */
  order: string[];
  /** Providers `auto` did not try, with why: for the run log. */
  skipped: string[];
}

export function detectProviderMachine(): ProviderMachine {
  return { backends: listSupportedBackends().map((b) => b.name), gpuDevice: hasGpuDeviceNode() };
}

/**
 * Whether `auto` may try WebGPU here: off Linux always; on Linux only with a GPU device node.
 * `dev` is a parameter so tests can point it at a folder of their own.
 */
export function hasGpuDeviceNode(platform: NodeJS.Platform = process.platform, dev = '/dev'): boolean {
  if (platform !== 'linux') return true;
  const has = (dir: string, prefix: string): boolean => {
    try {
      return fs.readdirSync(dir).some((f) => f.startsWith(prefix));
    } catch {
      return false;
    }
  };
  return has(path.join(dev, 'dri'), 'renderD') || has(dev, 'nvidia');
}

/**
 * Providers to try, in order, and those `auto` skipped. `auto` tries CUDA → WebGPU → DirectML/CoreML →
 * CPU, each only where this onnxruntime-node build lists it; an explicit choice is tried alone, so
 * asking for a GPU provider on a machine without it is an error rather than a silent CPU run.
 */
export function providerPlan(
  choice: ProviderChoice,
  platform: NodeJS.Platform = process.platform,
  machine: ProviderMachine = detectProviderMachine(),
): ProviderPlan {
  if (choice !== 'auto') return { order: [choice], skipped: [] };
  const order: string[] = [];
  const skipped: string[] = [];
  for (const provider of AUTO_ORDER[platform] ?? []) {
    if (!machine.backends.includes(provider)) {
      skipped.push(`${provider}: not in this onnxruntime-node build (listSupportedBackends)`);
    } else if (provider === 'webgpu' && platform === 'linux' && !machine.gpuDevice) {
      skipped.push('webgpu: no GPU device (/dev/dri/renderD*, /dev/nvidia*); a software Vulkan device is slower than cpu (ask for webgpu by name to use it anyway)');
    } else {
      order.push(provider);
    }
  }
  return { order: [...order, 'cpu'], skipped };
}

/** providerPlan's order alone. */
export function providerOrder(
  choice: ProviderChoice,
  platform: NodeJS.Platform = process.platform,
  machine: ProviderMachine = detectProviderMachine(),
): string[] {
  return providerPlan(choice, platform, machine).order;
}

/** The GPU providers: the probes' onnxruntime kernels follow the forward passes onto one of these. */
export function isGpuProvider(provider: string): boolean {
  return provider !== 'cpu' && provider !== '';
}

/**
 * What to do about a provider that would not start, appended to onnxruntime's own message, which names
 * neither the missing driver nor the package. `platform` is a parameter so every platform's hint is testable.
 */
export function providerFailureHint(provider: string, message: string, platform: NodeJS.Platform = process.platform): string {
  if (provider === 'webgpu' && /WebGPU adapter/i.test(message)) {
    // Dawn refuses Mesa 22.3's lavapipe (Debian 12's own: "Vulkan shaderUniform*ArrayDynamicIndexing
    // required", printed on stderr); Mesa 25.0's (bookworm-backports) is accepted. See README.
    return platform === 'linux'
      ? ' — no WebGPU adapter: Dawn needs a Vulkan driver (the GPU vendor\'s driver with its Vulkan ICD, NVIDIA\'s with libglvnd0, libglx0 and libegl1; or a recent Mesa: Debian 12\'s Mesa 22.3 is refused, mesa-vulkan-drivers 25 from bookworm-backports works, plus libvulkan1); `vulkaninfo --summary` (vulkan-tools) lists the devices Dawn can see'
      : ' — no WebGPU adapter: install or update the GPU driver (D3D12 on Windows, Metal on macOS)';
  }
  if (provider === 'cuda' && /libonnxruntime_providers_cuda|cuda/i.test(message)) {
    return ' — CUDA libraries missing: reinstall onnxruntime-node with its install script (see README, "Execution providers")';
  }
  return '';
}

/**
 * onnxruntime's default logger prints a red stderr line for every provider whose library is missing,
 * and `auto` tries one on each run; the failure is reported in our own log instead, and every real
 * error still arrives as an exception.
 */
export function quietOnnxruntimeLogging(): void {
  ortEnv.logLevel = 'fatal';
}
