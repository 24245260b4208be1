import * as vscode from 'vscode';

import type { ColumnDetection } from '../contract/columns';
import type { ColumnMapping } from '../contract/columns';

/** Asks, one quick pick per ambiguous role, which column plays it; undefined if the user backs out. */
export async function askColumns(detection: ColumnDetection): Promise<Partial<ColumnMapping> | undefined> {
  const chosen: Partial<ColumnMapping> = {};
  for (const { role, candidates } of detection.ambiguous) {
    const pick = await vscode.window.showQuickPick(candidates, {
      title: `Layer Probe: which column holds the ${role}?`,
      placeHolder: `Several columns could be the ${role}`,
    });
    if (!pick) return undefined;
    chosen[role] = pick;
  }
  return chosen;
}
