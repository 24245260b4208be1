import * as vscode from 'vscode';

import { clearActivationCachesCommand } from './clearCaches';
import { registerHeatmapPanelSerializer } from './panel/heatmapPanel';
import { type GenerateOutcome, panelOptions, type ProbeCommandChoices, probeDatasetCommand, type ProbeOutcome } from './probeCommand';
import { ProviderStatus } from './providerStatus';

/** What activate() returns: used by the extension-host integration tests. */
export interface LayerProbeApi {
  /** `choices` answer the raw-benchmark question in advance (tests). */
  probeDataset(resource?: vscode.Uri, choices?: ProbeCommandChoices): Promise<ProbeOutcome | GenerateOutcome | undefined>;
}

export function activate(context: vscode.ExtensionContext): LayerProbeApi {
  const output = vscode.window.createOutputChannel('Layer Probe', { log: true });
  context.subscriptions.push(output);
  const providerStatus = new ProviderStatus();
  context.subscriptions.push(providerStatus);
  const probeDataset = (resource?: vscode.Uri, choices?: ProbeCommandChoices): Promise<ProbeOutcome | GenerateOutcome | undefined> =>
    // A context-menu call passes (uri, selected uris): only a plain object is a choices argument.
    probeDatasetCommand(context, output, providerStatus, resource instanceof vscode.Uri ? resource : undefined, isChoices(choices) ? choices : {});
  const generateAnswers = (resource?: vscode.Uri, choices?: ProbeCommandChoices): Promise<ProbeOutcome | GenerateOutcome | undefined> =>
    probeDataset(resource, { generate: {}, ...(isChoices(choices) ? choices : {}), generateOnly: true });
  context.subscriptions.push(
    vscode.commands.registerCommand('layerProbe.probeDataset', probeDataset),
    vscode.commands.registerCommand('layerProbe.generateAnswers', generateAnswers),
    vscode.commands.registerCommand('layerProbe.clearActivationCaches', () => clearActivationCachesCommand(context, output)),
    registerHeatmapPanelSerializer(context.extensionUri, panelOptions(output)),
  );
  return { probeDataset };
}

const isChoices = (value: unknown): value is ProbeCommandChoices => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof vscode.Uri);

export function deactivate(): void {}
