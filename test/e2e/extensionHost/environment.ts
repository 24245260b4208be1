// What the extension-host tests share: the extension under test, fixture paths, the workspace, and
// waiting on the heatmap panel's posted messages.
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { HeatmapView } from '../../../src/contract/heatmapView';
import type { HostMessage } from '../../../src/contract/webviewProtocol';
import type { LayerProbeApi } from '../../../src/extension/extension';
import type { HeatmapPanel } from '../../../src/extension/panel/heatmapPanel';

export const EXTENSION_ID = 'layer-probe.layer-probe';

export function extension(): vscode.Extension<LayerProbeApi> {
  const ext = vscode.extensions.getExtension<LayerProbeApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

/** ../shared/fixtures beside the extension's checkout, as for the unit tests (or LAYER_PROBE_FIXTURES). */
export function fixtureModel(name: string): string {
  const fixtures = process.env.LAYER_PROBE_FIXTURES ?? path.resolve(extension().extensionPath, '..', 'shared', 'fixtures');
  return path.join(fixtures, 'models', name);
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the extension-host tests need a workspace folder: open one (the runners create a temporary one)');
  return folder;
}

/**
 * Resolves with the next message of `type` the panel posts to its webview. The webview is real: the
 * panel posts only after the browser has loaded it and it said `ready`.
 */
export function nextPost<K extends HostMessage['type']>(
  panel: HeatmapPanel,
  type: K,
  timeoutMs = 30_000,
): Promise<Extract<HostMessage, { type: K }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`the panel posted no '${type}' message within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = panel.onDidPostMessage((message) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(message as Extract<HostMessage, { type: K }>);
    });
  });
}

/** The result view the panel has posted, waiting for the webview's `ready` if it has not yet. */
export async function postedResult(panel: HeatmapPanel): Promise<HeatmapView> {
  return panel.lastPostedResult ?? (await nextPost(panel, 'result')).view;
}
