// A minimal stand-in for the `vscode` module: just what the heatmap panel touches, recording calls,
// so the host side's message flow is tested in plain Node. Install it before importing the panel.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';

export class EventEmitter<T> {
  private listeners: ((value: T) => void)[] = [];
  event = (listener: (value: T) => void): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => void (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Uri {
  readonly scheme = 'file';
  private constructor(readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri(p);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...parts));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}
class Selection extends Range {}

export class FakeWebviewPanel {
  readonly posted: unknown[] = [];
  readonly receive = new EventEmitter<unknown>();
  readonly viewState = new EventEmitter<void>();
  readonly disposed = new EventEmitter<void>();
  visible = true;
  title: string;
  viewColumn = 1;
  iconPath: { light: Uri; dark: Uri } | undefined;
  webview = {
    options: {} as { localResourceRoots?: Uri[]; enableScripts?: boolean },
    html: '',
    cspSource: 'https://fake.vscode-cdn.net',
    asWebviewUri: (uri: Uri) => `https://fake.vscode-cdn.net${uri.fsPath}`,
    postMessage: async (message: unknown) => {
      this.posted.push(message);
      return true;
    },
    onDidReceiveMessage: this.receive.event,
  };
  onDidChangeViewState = this.viewState.event;
  onDidDispose = this.disposed.event;
  constructor(
    readonly viewType: string,
    title: string,
    readonly options: unknown,
  ) {
    this.title = title;
  }
  reveal(): void {}
  dispose(): void {
    this.disposed.fire();
  }
  /** Simulates the user hiding the panel: its webview content is torn down. */
  hide(): void {
    this.visible = false;
    this.viewState.fire();
  }
}

export const calls = {
  panels: [] as FakeWebviewPanel[],
  opened: [] as string[],
  shown: [] as { uri: string; options: { selection: Range; viewColumn: number } }[],
  revealed: [] as { range: Range; type: number }[],
  warnings: [] as string[],
  errors: [] as string[],
  /** Each save dialog's options; it answers `saveAnswer` (undefined: the user cancelled). */
  saveDialogs: [] as { defaultUri?: Uri; filters?: Record<string, string[]>; title?: string }[],
  saveAnswer: undefined as Uri | undefined,
  /** Files written through workspace.fs (to the real disk). */
  written: [] as string[],
};

/** A document whose lines are `line 1`, `line 2`, … */
function fakeDocument(uri: Uri, lineCount: number): unknown {
  return {
    uri,
    lineCount,
    lineAt: (i: number) => {
      const text = `line ${i + 1}`;
      return { text, range: new Range(new Position(i, 0), new Position(i, text.length)) };
    },
  };
}

export const fakeVscode = {
  Uri,
  Range,
  Position,
  Selection,
  EventEmitter,
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  TextEditorRevealType: { Default: 0, InCenter: 2 },
  window: {
    createWebviewPanel: (viewType: string, title: string, _column: number, options: unknown) => {
      const panel = new FakeWebviewPanel(viewType, title, options);
      calls.panels.push(panel);
      return panel;
    },
    showTextDocument: async (document: { uri: Uri }, options: { selection: Range; viewColumn: number }) => {
      calls.shown.push({ uri: document.uri.fsPath, options });
      return { revealRange: (range: Range, type: number) => calls.revealed.push({ range, type }) };
    },
    showWarningMessage: async (message: string) => void calls.warnings.push(message),
    showErrorMessage: async (message: string) => void calls.errors.push(message),
    showSaveDialog: async (options: (typeof calls.saveDialogs)[number]) => {
      calls.saveDialogs.push(options);
      return calls.saveAnswer;
    },
    registerWebviewPanelSerializer: () => ({ dispose() {} }),
  },
  workspace: {
    workspaceFolders: undefined as { uri: Uri }[] | undefined,
    getWorkspaceFolder(uri: Uri): { uri: Uri } | undefined {
      return fakeVscode.workspace.workspaceFolders?.find((f) => uri.fsPath.startsWith(f.uri.fsPath + path.sep));
    },
    fs: {
      readFile: async (uri: Uri): Promise<Uint8Array> => fs.promises.readFile(uri.fsPath),
      writeFile: async (uri: Uri, content: Uint8Array): Promise<void> => {
        await fs.promises.writeFile(uri.fsPath, content);
        calls.written.push(uri.fsPath);
      },
    },
    openTextDocument: async (uri: Uri) => {
      calls.opened.push(uri.fsPath);
      return fakeDocument(uri, 20);
    },
  },
};

let installed = false;
export function installFakeVscode(): void {
  if (installed) return;
  installed = true;
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = moduleWithLoad._load;
  moduleWithLoad._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? fakeVscode : load(request, ...rest));
}
