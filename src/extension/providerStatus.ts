import * as vscode from 'vscode';

import type { ProbeResult } from '../contract/result';
import { providerView } from './providerView';

/** Status bar item naming the onnxruntime execution provider the last run actually used. */
export class ProviderStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('layerProbe.provider', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Layer Probe: execution provider';
    this.item.command = { title: 'Execution provider setting', command: 'workbench.action.openSettings', arguments: ['layerProbe.executionProvider'] };
  }

  /** Neutral when the run got what was asked for (or what `auto` found); a warning when a named GPU provider was not used. */
  show(result: Pick<ProbeResult, 'model' | 'settings'>): void {
    const view = providerView(result.settings.options.executionProvider, result.model.provider, result.model.providersTried);
    this.item.text = `$(${view.icon}) ${view.text}`;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
