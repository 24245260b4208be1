import * as vscode from 'vscode';

import { clearActivationCachesCommand } from './clearCaches';
import { registerHeatmapPanelSerializer } from './panel/heatmapPanel';
import { panelOptions, probeDatasetCommand, type ProbeOutcome } from './probeCommand';
import { ProviderStatus } from './providerStatus';

/** What activate() returns: used by the extension-host integration tests. */
export interface LayerProbeApi {
  probeDataset(resource?: vscode.Uri): Promise<ProbeOutcome | undefined>;
}

export function activate(context: vscode.ExtensionContext): LayerProbeApi {
  const output = vscode.window.createOutputChannel('Layer Probe', { log: true });
  context.subscriptions.push(output);
  const providerStatus = new ProviderStatus();
  context.subscriptions.push(providerStatus);
  const probeDataset = (resource?: vscode.Uri): Promise<ProbeOutcome | undefined> =>
    probeDatasetCommand(context, output, providerStatus, resource instanceof vscode.Uri ? resource : undefined);
  context.subscriptions.push(
    vscode.commands.registerCommand('layerProbe.probeDataset', probeDataset),
    vscode.commands.registerCommand('layerProbe.clearActivationCaches', () => clearActivationCachesCommand(context, output)),
    registerHeatmapPanelSerializer(context.extensionUri, panelOptions(output)),
  );
  return { probeDataset };
}

export function deactivate(): void {}
