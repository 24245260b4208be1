// The extension as VS Code sees it: activation, the API it returns, and its contributions (read from
// the loaded extension's package.json and from VS Code's own registries, not from the file on disk).
import * as assert from 'node:assert/strict';

import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import { extension, workspaceFolder } from './environment';

const COMMAND = 'layerProbe.probeDataset';

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}

describe('activation and contributions', () => {
  before(async () => {
    await extension().activate();
  });

  it('activates and returns the LayerProbeApi', () => {
    const ext = extension();
    assert.equal(ext.isActive, true);
    assert.equal(typeof ext.exports.probeDataset, 'function');
    assert.equal(ext.packageJSON.main, './dist/extension.js');
  });

  it('registers the Probe Dataset… command with VS Code', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes(COMMAND), `${COMMAND} is not among the ${commands.length} registered commands`);
    const contributed = extension().packageJSON.contributes.commands as { command: string; title: string; category: string }[];
    assert.deepEqual(
      contributed.find((c) => c.command === COMMAND),
      { command: COMMAND, title: 'Probe Dataset…', category: 'Layer Probe' },
    );
    // Every contributed command is registered by activate().
    for (const { command } of contributed) assert.ok(commands.includes(command), `${command} is contributed but not registered`);
  });

  it('puts Probe Dataset… on the Explorer context menu of .jsonl, .json and .csv files only', () => {
    const menus = extension().packageJSON.contributes.menus as Record<string, MenuItem[]>;
    const entry = menus['explorer/context'].find((m) => m.command === COMMAND);
    assert.ok(entry, 'no explorer/context entry for the command');
    assert.match(entry.group ?? '', /^navigation/);
    const when = entry.when ?? '';
    assert.match(when, /!explorerResourceIsFolder/);
    // The when clause's `resourceExtname =~ /…/i`, evaluated as VS Code does (a JS regular expression).
    const match = /resourceExtname =~ \/(.+)\/(\w*)/.exec(when);
    assert.ok(match, `no resourceExtname regex in: ${when}`);
    const regex = new RegExp(match[1], match[2]);
    for (const ext of ['.jsonl', '.json', '.csv', '.CSV', '.JsonL']) assert.ok(regex.test(ext), `${ext} should match`);
    for (const ext of ['.txt', '.parquet', '.jsonc', '.csv.gz', '.tsv', '']) assert.ok(!regex.test(ext), `${ext} should not match`);
    assert.deepEqual(
      menus.commandPalette.find((m) => m.command === COMMAND),
      { command: COMMAND },
      'the command is offered in the Command Palette without a when clause',
    );
  });

  it('contributes its settings with their defaults', () => {
    const config = vscode.workspace.getConfiguration('layerProbe');
    const defaults = Object.fromEntries(
      ['modelFolder', 'location', 'sampleLimit', 'seed', 'testFraction'].map((key) => [key, config.inspect(key)?.defaultValue]),
    );
    assert.deepEqual(defaults, { modelFolder: '', location: 'mlp_out', sampleLimit: null, seed: 0, testFraction: 0.2 });
  });

  it('declines files that are not datasets, without opening a panel', async () => {
    const notes = vscode.Uri.joinPath(workspaceFolder().uri, 'notes.txt');
    await vscode.workspace.fs.writeFile(notes, new TextEncoder().encode('not a dataset\n'));
    const tabsBefore = webviewTabs();
    const outcome = await vscode.commands.executeCommand(COMMAND, notes);
    assert.equal(outcome, undefined);
    assert.equal(webviewTabs(), tabsBefore);
  });
});

function webviewTabs(): number {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview).length;
}
