import * as vscode from 'vscode';

import { clearCacheFolders, formatBytes, listCacheFolders } from '../storage/cacheFolders';
import { activationCacheRoots } from './probeCommand';

/**
 * "Layer Probe: Clear Activation Caches": shows how much the cached activations take (this workspace's
 * and the global storage) and deletes them after a modal confirmation.
 */
export async function clearActivationCachesCommand(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
): Promise<number> {
  const roots = activationCacheRoots(context);
  const folders = roots.flatMap((root) => listCacheFolders(root));
  const total = folders.reduce((s, f) => s + f.bytes, 0);
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Layer Probe: there are no activation caches.');
    return 0;
  }
  const rows = folders.reduce((s, f) => s + f.rows, 0);
  const choice = await vscode.window.showWarningMessage(
    `Delete ${folders.length} activation cache${folders.length === 1 ? '' : 's'} (${formatBytes(total)}, ${rows} cached rows)?`,
    { modal: true, detail: 'The next probing run of those datasets runs the model again. Results are kept.' },
    'Delete',
  );
  if (choice !== 'Delete') return 0;
  let freed = 0;
  let kept = 0;
  for (const root of roots) {
    const cleared = clearCacheFolders(root);
    freed += cleared.bytes;
    kept += cleared.inUse.length;
    for (const f of cleared.inUse) output.info(`Kept ${f.dir}: a Layer Probe run is using it (${f.inUseBy})`);
  }
  output.info(`Cleared activation caches in ${roots.join(', ')}: ${formatBytes(freed)}`);
  const note = kept > 0 ? ` ${kept} in use by a running probe ${kept === 1 ? 'was' : 'were'} kept.` : '';
  void vscode.window.showInformationMessage(`Layer Probe: deleted activation caches (${formatBytes(freed)}).${note}`);
  return freed;
}
