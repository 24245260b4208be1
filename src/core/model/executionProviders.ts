import { env as ortEnv } from 'onnxruntime-node';

/** What the user may choose (setting `layerProbe.executionProvider`, CLI `--provider`). */
export const PROVIDER_CHOICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml'] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

// The GPU provider onnxruntime-node ships for each platform (CUDA needs its libraries fetched by
// onnxruntime-node's install script, `npm run install:cuda`; see README).
const GPU_PROVIDER: Partial<Record<NodeJS.Platform, string>> = { linux: 'cuda', win32: 'dml', darwin: 'coreml' };

/**
 * Providers to try, in order. `auto` tries the platform's GPU provider, then CPU; an explicit choice is
 * tried alone, so asking for CUDA on a machine without it is an error rather than a silent CPU run.
 */
export function providerOrder(choice: ProviderChoice, platform: NodeJS.Platform = process.platform): string[] {
  if (choice !== 'auto') return [choice];
  const gpu = GPU_PROVIDER[platform];
  return gpu ? [gpu, 'cpu'] : ['cpu'];
}

/**
 * onnxruntime's default logger prints a red stderr line for every provider whose library is missing,
 * and `auto` tries one on each run; the failure is reported in our own log instead, and every real
 * error still arrives as an exception.
 */
export function quietOnnxruntimeLogging(): void {
  ortEnv.logLevel = 'fatal';
}
