// "Click an example → the dataset opens with that row revealed and selected."
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { TextEncodingName } from '../../contract/runOptions';

/** VS Code's names of the encodings a run can read its dataset in (TextDocument.encoding). */
const VSCODE_ENCODING: Record<TextEncodingName, string> = {
  'utf-8': 'utf8',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
  'windows-1252': 'windows1252',
  latin1: 'iso88591',
};

/** The dataset file as a URI: absolute paths as they are, relative ones against the workspace. */
export function datasetUri(file: string): vscode.Uri {
  if (path.isAbsolute(file)) return vscode.Uri.file(file);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, file) : vscode.Uri.file(path.resolve(file));
}

/**
 * Opens `file` beside the panel, decoded as the run read it (`encoding`; utf-8 is left to VS Code,
 * which also reads a BOM), and selects the whole of 1-based `line` (where the row's record starts),
 * centred. Warns when the file no longer has that line: it changed since the run.
 */
export async function revealDatasetLine(file: string, line: number, encoding?: TextEncodingName): Promise<vscode.TextEditor> {
  const uri = datasetUri(file);
  const document = await vscode.workspace.openTextDocument(uri, encoding && encoding !== 'utf-8' ? { encoding: VSCODE_ENCODING[encoding] } : undefined);
  if (line > document.lineCount) {
    void vscode.window.showWarningMessage(
      `Layer Probe: ${path.basename(file)} has ${document.lineCount} lines, fewer than line ${line}; it changed since the run.`,
    );
  }
  const index = Math.min(Math.max(line - 1, 0), document.lineCount - 1);
  const range = document.lineAt(index).range;
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: vscode.ViewColumn.Beside,
    selection: new vscode.Selection(range.start, range.end),
    preview: true,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  return editor;
}
