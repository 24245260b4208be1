import * as path from 'node:path';

import * as vscode from 'vscode';

import type { ColumnDetection, ColumnMapping } from '../contract/columns';
import { candidateItems, COLUMN_CHOICES_KEY, type ColumnChoices, describeChoice, rememberedChoice, withChoice } from './columnChoices';

/** Fires as each column quick pick is shown, with its role (tests answer the pick only once it is up). */
export const columnsAsked = new vscode.EventEmitter<string>();

export interface AskColumnsContext {
  datasetFile: string;
  /** The workspace state, where choices are remembered per file and its columns. */
  state: vscode.Memento;
  log: (line: string) => void;
}

/**
 * Which column plays each ambiguous role: the earlier choice for this file and columns if there is one
 * (logged), else one quick pick per role showing each candidate's first values, remembered for next
 * time. Undefined if the user backs out.
 */
export async function askColumns(detection: ColumnDetection, columns: string[], ctx: AskColumnsContext): Promise<Partial<ColumnMapping> | undefined> {
  const stored = ctx.state.get<ColumnChoices>(COLUMN_CHOICES_KEY);
  const earlier = rememberedChoice(stored, ctx.datasetFile, columns, detection);
  if (earlier) {
    ctx.log(`columns: using your earlier choice for ${path.basename(ctx.datasetFile)}: ${describeChoice(earlier)} (Layer Probe: Reset Column Choices to ask again)`);
    return earlier;
  }
  const chosen: Partial<ColumnMapping> = {};
  for (const { role } of detection.ambiguous) {
    const shown = vscode.window.showQuickPick(candidateItems(detection, role), {
      title: `Layer Probe: which column holds the ${role}?`,
      placeHolder: `Several columns of ${path.basename(ctx.datasetFile)} could be the ${role} (first values shown below each)`,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    columnsAsked.fire(role);
    const pick = await shown;
    if (!pick) return undefined;
    chosen[role] = pick.label;
  }
  await ctx.state.update(COLUMN_CHOICES_KEY, withChoice(ctx.state.get<ColumnChoices>(COLUMN_CHOICES_KEY), ctx.datasetFile, columns, chosen));
  ctx.log(`columns: ${describeChoice(chosen)}, remembered for ${path.basename(ctx.datasetFile)} (Layer Probe: Reset Column Choices to ask again)`);
  return chosen;
}

/** "Layer Probe: Reset Column Choices": every file's column roles are asked again. */
export async function resetColumnChoicesCommand(state: vscode.Memento, log: (line: string) => void): Promise<number> {
  const count = Object.keys(state.get<ColumnChoices>(COLUMN_CHOICES_KEY) ?? {}).length;
  await state.update(COLUMN_CHOICES_KEY, undefined);
  log(`columns: forgot the column choices of ${count} file${count === 1 ? '' : 's'}`);
  void vscode.window.showInformationMessage(
    count === 0 ? 'Layer Probe: no column choices were remembered.' : `Layer Probe: forgot the column choices of ${count} file${count === 1 ? '' : 's'}; they are asked again.`,
  );
  return count;
}
