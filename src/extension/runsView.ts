// The Runs view in the Layer Probe activity-bar container: every run folder, from the extension's own
// storage and from the workspace folders' `layer-probe-runs` (the CLI's), grouped dataset → model, each
// run labelled by its location, best cell and date. Opening one shows it in a panel of its own.

import * as fs from 'node:fs';
import * as path from 'node:path';

import * as vscode from 'vscode';

import { DEFAULT_RUNS_DIR_NAME, listRuns, type RunSummary } from '../storage/runFolders';

type Node =
  | { kind: 'dataset'; dataset: string; runs: RunSummary[] }
  | { kind: 'model'; dataset: string; model: string; runs: RunSummary[] }
  | { kind: 'run'; run: RunSummary }
  | { kind: 'unreadable'; dir: string; reason: string };

/** The roots the view lists: the extension's runs, then each workspace folder's CLI runs. */
export function runsRoots(extensionRoot: string): string[] {
  const workspace = (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, DEFAULT_RUNS_DIR_NAME));
  return [extensionRoot, ...workspace];
}

/** A run's one-line label: location, best cell, date. */
export function runLabel(run: RunSummary): { label: string; description: string } {
  const best = run.best ? `AUC ${run.best.auc.toFixed(3)} at L${run.best.layer} ${run.best.token}` : 'no defined cell';
  return { label: `${run.location} · ${best}`, description: new Date(run.createdAt).toLocaleString() };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export class RunsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly roots: () => string[]) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Every readable run under the roots, newest first. */
  runs(): RunSummary[] {
    return this.roots()
      .flatMap((root) => listRuns(root).runs)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const listings = this.roots().map((root) => listRuns(root));
      const runs = listings.flatMap((l) => l.runs).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
      const datasets: Node[] = [...groupBy(runs, (r) => r.dataset)].map(([dataset, group]) => ({ kind: 'dataset', dataset, runs: group }));
      const unreadable: Node[] = listings.flatMap((l) => l.unreadable).map((u) => ({ kind: 'unreadable', ...u }));
      return [...datasets, ...unreadable];
    }
    if (node.kind === 'dataset') {
      return [...groupBy(node.runs, (r) => r.model)].map(([model, group]) => ({ kind: 'model', dataset: node.dataset, model, runs: group }));
    }
    if (node.kind === 'model') return node.runs.map((run) => ({ kind: 'run', run }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'dataset': {
        const item = new vscode.TreeItem(node.dataset, vscode.TreeItemCollapsibleState.Expanded);
        item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('database');
        return item;
      }
      case 'model': {
        const item = new vscode.TreeItem(node.model, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('symbol-method');
        return item;
      }
      case 'run': {
        const { label, description } = runLabel(node.run);
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.description = description;
        item.id = node.run.resultFile;
        item.contextValue = 'layerProbe.run';
        item.iconPath = new vscode.ThemeIcon('graph');
        item.resourceUri = vscode.Uri.file(node.run.dir);
        const baseline = node.run.bestBaseline ? `\nbest baseline: ${node.run.bestBaseline.name} ${node.run.bestBaseline.auc.toFixed(3)}` : '';
        item.tooltip = `${node.run.model} · ${node.run.dataset} · ${node.run.location}\n${node.run.nTest} test rows${baseline}\n${node.run.dir}`;
        item.command = { command: 'layerProbe.openRun', title: 'Open Run', arguments: [node] };
        return item;
      }
      case 'unreadable': {
        const item = new vscode.TreeItem(path.basename(node.dir), vscode.TreeItemCollapsibleState.None);
        item.description = 'cannot be shown';
        item.tooltip = node.reason;
        item.iconPath = new vscode.ThemeIcon('warning');
        item.contextValue = 'layerProbe.unreadableRun';
        item.resourceUri = vscode.Uri.file(node.dir);
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The run a view command was invoked on: a tree node, or a run folder / result.json URI (tests, palette). */
export function runOfArgument(arg: unknown): { dir: string; resultFile: string } | undefined {
  if (arg && typeof arg === 'object' && 'kind' in arg) {
    const node = arg as Node;
    if (node.kind === 'run') return { dir: node.run.dir, resultFile: node.run.resultFile };
    if (node.kind === 'unreadable') return { dir: node.dir, resultFile: path.join(node.dir, 'result.json') };
  }
  if (arg instanceof vscode.Uri) {
    const file = arg.fsPath;
    const dir = fs.existsSync(file) && fs.statSync(file).isDirectory() ? file : path.dirname(file);
    return { dir, resultFile: path.join(dir, 'result.json') };
  }
  return undefined;
}
