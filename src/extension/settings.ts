import * as vscode from 'vscode';

import { parseRunOptions, RUN_OPTION_KEYS, RUN_OPTIONS, type RunOptionKey, type RunOptions, SETTINGS_SECTION } from '../contract/runOptions';

/**
 * The run options from the user's settings: only values the user set are read (defaults come from the
 * options table), each parsed by its row. An invalid value throws an OptionError naming the setting —
 * a run never silently uses another value than the one configured.
 */
export function readRunOptions(scope?: vscode.Uri): RunOptions {
  const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const raw: Partial<Record<RunOptionKey, unknown>> = {};
  for (const key of RUN_OPTION_KEYS) {
    const setting = RUN_OPTIONS[key].setting;
    if (setting === undefined) continue;
    const inspected = cfg.inspect(setting);
    const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined) raw[key] = value;
  }
  return parseRunOptions(raw, 'setting');
}
