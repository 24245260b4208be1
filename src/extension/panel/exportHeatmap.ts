// The host side of the panel's Export…: makes the file's bytes (the figure the webview drew, or the
// CSV / result JSON / standalone HTML from the result the host holds), asks where in VS Code's save
// dialog (which itself confirms replacing an existing file) and writes exactly there, nowhere else.
// Every ending — saved, cancelled, failed — is an `exported` message for the panel, never a throw.
import * as path from 'node:path';

import * as vscode from 'vscode';

import { EXPORT_FORMAT_INFO, exportFileName } from '../../contract/exportFormats';
import { heatmapCsv } from '../../contract/heatmapCsv';
import { heatmapHtml } from '../../contract/heatmapHtml';
import type { ProbeResult } from '../../contract/result';
import type { ExportedMessage, ExportMessage } from '../../contract/webviewProtocol';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Saves one export of `result`; resolves with the message that tells the panel how it ended. */
export async function exportHeatmap(result: ProbeResult, request: ExportMessage, extensionUri: vscode.Uri): Promise<ExportedMessage> {
  const { format } = request;
  const info = EXPORT_FORMAT_INFO[format];
  const reply = (outcome: ExportedMessage['outcome'], message: string): ExportedMessage => ({ type: 'exported', format, outcome, message });
  let bytes: Uint8Array;
  try {
    bytes = await exportBytes(result, request, extensionUri);
  } catch (err) {
    return reply('failed', `Could not export the ${info.filter}: ${(err as Error).message}`);
  }
  const target = await vscode.window.showSaveDialog({
    title: `Export ${info.filter}`,
    saveLabel: 'Export',
    defaultUri: vscode.Uri.joinPath(defaultFolder(result), exportFileName(result, format, request.metric)),
    filters: { [info.filter]: [info.extension] },
  });
  if (!target) return reply('cancelled', 'Export cancelled.');
  try {
    await vscode.workspace.fs.writeFile(target, bytes);
  } catch (err) {
    const message = `Could not save ${displayPath(target)}: ${(err as Error).message}`;
    void vscode.window.showErrorMessage(`Layer Probe: ${message}`);
    return reply('failed', message);
  }
  return reply('saved', `Saved ${displayPath(target)}.`);
}

async function exportBytes(result: ProbeResult, request: ExportMessage, extensionUri: vscode.Uri): Promise<Uint8Array> {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  switch (request.format) {
    case 'png': {
      const png = Buffer.from(request.data ?? '', 'base64');
      if (!PNG_SIGNATURE.every((b, i) => png[i] === b)) throw new Error('the panel sent no PNG image');
      return png;
    }
    case 'svg':
      return text(request.data ?? '');
    case 'csv':
      return text(heatmapCsv(result, request.metric));
    case 'json':
      // As the run folder's result.json.
      return text(JSON.stringify(result, null, 1));
    case 'html': {
      const dist = vscode.Uri.joinPath(extensionUri, 'dist');
      const read = async (name: string, optional: boolean): Promise<string> => {
        try {
          return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dist, name)));
        } catch (err) {
          if (optional) return '';
          throw new Error(`the extension's ${name} cannot be read (${(err as Error).message})`, { cause: err });
        }
      };
      return text(heatmapHtml(result, { webviewJs: await read('webview.js', false), webviewCss: await read('webview.css', true) }));
    }
  }
}

/** The workspace folder of the dataset, else the first workspace folder, else the dataset's own folder. */
function defaultFolder(result: ProbeResult): vscode.Uri {
  const dataset = vscode.Uri.file(result.answers?.benchmarkFile ?? result.dataset.file);
  return vscode.workspace.getWorkspaceFolder(dataset)?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(dataset.fsPath));
}

function displayPath(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
}
