import * as vscode from 'vscode';
import { PROVIDER_CHOICES, type ProviderChoice } from '../core/model/executionProviders';
import type { PromptFormat } from '../core/tokenize/chatTemplate';
import { PROBE_LOCATIONS, type ProbeLocation, type RunSettings } from '../core/types';

export const SECTION = 'layerProbe';

/** Run settings from the user's configuration, validated (a bad value falls back to the default). */
export function readRunSettings(scope?: vscode.Uri): RunSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  const location = cfg.get<string>('location', 'mlp_out');
  const testFraction = cfg.get<number>('testFraction', 0.2);
  return {
    location: PROBE_LOCATIONS.includes(location as ProbeLocation) ? (location as ProbeLocation) : 'mlp_out',
    sampleLimit: Math.max(0, Math.floor(cfg.get<number>('sampleLimit', 1000))),
    seed: Math.max(0, Math.floor(cfg.get<number>('seed', 0))),
    testFraction: testFraction > 0 && testFraction < 1 ? testFraction : 0.2,
  };
}

export function configuredModelFolder(scope?: vscode.Uri): string | undefined {
  const value = vscode.workspace.getConfiguration(SECTION, scope).get<string>('modelFolder', '').trim();
  return value.length > 0 ? value : undefined;
}

export function configuredProvider(scope?: vscode.Uri): ProviderChoice {
  const value = vscode.workspace.getConfiguration(SECTION, scope).get<string>('executionProvider', 'auto');
  return PROVIDER_CHOICES.includes(value as ProviderChoice) ? (value as ProviderChoice) : 'auto';
}

export function configuredPromptFormat(scope?: vscode.Uri): PromptFormat {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    chatTemplate: cfg.get<string>('chatTemplate', 'auto') === 'none' ? 'none' : 'auto',
    addGenerationPrompt: cfg.get<boolean>('addGenerationPrompt', false) === true,
  };
}

/** Activation memory one forward batch may hold (all layers of the extracted locations); sets the batch size. */
export function configuredBatchMemoryBytes(scope?: vscode.Uri): number {
  const mib = vscode.workspace.getConfiguration(SECTION, scope).get<number>('batchMemoryMB', 256);
  return Math.round((Number.isFinite(mib) && mib > 0 ? mib : 256) * 1024 * 1024);
}
