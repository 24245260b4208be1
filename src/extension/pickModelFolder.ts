import * as path from 'node:path';

import * as vscode from 'vscode';

const REMEMBERED_KEY = 'layerProbe.lastModelFolder';

/**
 * The model folder for a run: the `layerProbe.modelFolder` setting when set (relative paths resolve
 * against the dataset's workspace folder), else the user's pick, offered again next time in this
 * workspace.
 */
export async function pickModelFolder(context: vscode.ExtensionContext, dataset: vscode.Uri, configured: string): Promise<string | undefined> {
  if (configured !== '') return resolveSettingPath(dataset, configured);
  const remembered = context.workspaceState.get<string>(REMEMBERED_KEY);
  let chosen: string | undefined;
  if (remembered) {
    const browse = { label: '$(folder-opened) Browse…', description: 'choose another ONNX model folder' };
    const last = { label: `$(symbol-method) ${path.basename(remembered)}`, description: remembered };
    const pick = await vscode.window.showQuickPick([last, browse], {
      title: 'Layer Probe: model folder',
      placeHolder: 'ONNX model folder to probe',
    });
    if (!pick) return undefined;
    chosen = pick === last ? remembered : await browseForFolder(dataset);
  } else {
    chosen = await browseForFolder(dataset);
  }
  if (chosen) await context.workspaceState.update(REMEMBERED_KEY, chosen);
  return chosen;
}

/** A folder setting as the user means it: a relative path is relative to the dataset's workspace folder. */
export function resolveSettingPath(dataset: vscode.Uri, setting: string): string {
  const base = vscode.workspace.getWorkspaceFolder(dataset)?.uri.fsPath ?? path.dirname(dataset.fsPath);
  return path.resolve(base, setting);
}

async function browseForFolder(dataset: vscode.Uri): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Layer Probe: choose an ONNX model folder (model.onnx + tokenizer.json)',
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.workspace.getWorkspaceFolder(dataset)?.uri,
    openLabel: 'Use this model',
  });
  return picked?.[0]?.fsPath;
}
