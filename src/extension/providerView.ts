// What the status bar says about the execution provider of the last run: neutral when the run got what
// the user asked for (or, with `auto`, the best this machine offers), a warning only when the user asked
// for a GPU provider by name and the forward passes ran on another. No `vscode` import: unit-tested.

import type { ProviderChoice } from '../contract/runOptions';

export interface ProviderView {
  /** Codicon name. */
  icon: 'chip' | 'warning';
  text: string;
  tooltip: string;
  warning: boolean;
}

const GPU_PROVIDERS = new Set(['cuda', 'webgpu', 'dml', 'coreml']);

/**
 * `provider` and `tried` are the result's model.provider and model.providersTried: the provider of this
 * run's forward passes, or (tried empty) of the cached activations when no forward pass ran.
 */
export function providerView(requested: ProviderChoice, provider: string, tried: readonly string[]): ProviderView {
  const asked = requested === 'auto' ? 'auto (the first GPU provider that starts: cuda → webgpu → dml/coreml, else cpu)' : requested;
  if (tried.length === 0) {
    const from = provider === '' ? '' : `, computed earlier with ${provider}`;
    return {
      icon: 'chip',
      text: `Layer Probe: ${provider === '' ? 'cache' : `${provider} (cached)`}`,
      tooltip: `Asked for: ${asked}. The last probing run read every activation from the cache${from}; it ran no forward pass.`,
      warning: false,
    };
  }
  const warning = requested !== 'auto' && GPU_PROVIDERS.has(requested) && provider !== requested;
  const triedText = tried.length > 1 ? `tried ${tried.join(' → ')}` : `tried ${tried[0]}`;
  const missing = tried.filter((p) => p !== provider);
  const note = missing.length > 0 ? ` (${missing.join(', ')} not available here)` : '';
  return {
    icon: warning ? 'warning' : 'chip',
    text: `Layer Probe: ${provider}`,
    tooltip: `Asked for: ${asked}; ${triedText}; used: ${provider}${note}.${warning ? ` The forward passes did not run on the ${requested} you asked for.` : ''}`,
    warning,
  };
}
