// Hostile datasets through the real command: the extension refuses them with the same words as the
// CLI — the file, the line and byte offset or what the file really is — and opens no panel.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import type { ProbeOutcome } from '../../../src/extension/probeCommand';
import { extension, fixtureModel, workspaceFolder } from './environment';

describe('hostile datasets through the command', () => {
  let folder: vscode.WorkspaceFolder;
  const written: string[] = [];

  before(async () => {
    folder = workspaceFolder();
    await extension().activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', fixtureModel('tiny-llama-unfused-extdata'), vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', undefined, vscode.ConfigurationTarget.Workspace);
    for (const file of written) fs.rmSync(file, { force: true });
  });

  async function refusal(file: string): Promise<string> {
    const failed = new Promise<string>((resolve) => {
      const sub = extension().exports.onDidFailRun((message) => {
        sub.dispose();
        resolve(message);
      });
    });
    const before = vscode.window.tabGroups.all.flatMap((g) => g.tabs).length;
    const outcome = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(file));
    assert.equal(outcome, undefined);
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, before, 'no panel left open');
    return failed;
  }

  it('Latin-1, UTF-16, a semicolon CSV and a FIFO are refused in the CLI\'s words', async function () {
    this.timeout(60_000);
    const dir = folder.uri.fsPath;
    const latin1 = path.join(dir, 'hostile-latin1.csv');
    fs.writeFileSync(latin1, Buffer.concat([Buffer.from('question,model_answer,correct\ncaf'), Buffer.from([0xe9]), Buffer.from(',yes,1\n')]));
    const utf16 = path.join(dir, 'hostile-utf16.csv');
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('question,model_answer,correct\n', 'utf16le')]));
    const semi = path.join(dir, 'hostile-semi.csv');
    fs.writeFileSync(semi, 'question;model_answer;correct\nq;a;1\n');
    const fifo = path.join(dir, 'hostile-fifo.jsonl');
    execFileSync('mkfifo', [fifo]);
    written.push(latin1, utf16, semi, fifo);
    const asLatin = 'read it with --encoding windows-1252 (the layerProbe.encoding setting in VS Code) or --encoding latin1, or convert it to UTF-8 first, e.g. `iconv -f cp1252 -t utf-8 in.csv > out.csv`';
    assert.equal(await refusal(latin1), `${latin1}: line 2: byte offset 33 (0xe9) is not UTF-8 — the file looks Windows-1252 / Latin-1 (or binary): ${asLatin}`);
    assert.equal(
      await refusal(utf16),
      `${utf16}: the file is UTF-16 (little-endian byte-order mark), not UTF-8: read it with --encoding utf-16le (the layerProbe.encoding setting in VS Code), or convert it to UTF-8 (\`iconv -f utf-16 -t utf-8\`)`,
    );
    assert.equal(await refusal(semi), `${semi}: line 1: the header splits into 3 fields on semicolons but 1 on commas: this looks like a semicolon-separated file; save it comma-separated (or as .jsonl)`);
    // A FIFO would block any read forever: refused before one.
    assert.equal(await refusal(fifo), `${fifo}: this is a named pipe (FIFO); a dataset must be a regular file (.jsonl, .json or .csv)`);
  });
});
