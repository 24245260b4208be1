import * as vscode from 'vscode';

/** Status bar item naming the onnxruntime execution provider the last run actually used. */
export class ProviderStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('layerProbe.provider', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Layer Probe: execution provider';
    this.item.command = { title: 'Execution provider setting', command: 'workbench.action.openSettings', arguments: ['layerProbe.executionProvider'] };
  }

  show(provider: string, tried: string[]): void {
    const fellBack = tried.length > 1;
    this.item.text = `$(${fellBack ? 'warning' : 'chip'}) Layer Probe: ${provider}`;
    this.item.tooltip = fellBack
      ? `The last probing run used ${provider}: ${tried.slice(0, -1).join(', ')} was not available here.`
      : `The last probing run used the ${provider} execution provider.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
