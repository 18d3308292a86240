// The mixscope.* settings, read for one data file (settings are resource-scoped) and turned into valid FitOptions.
// Which settings exist, their ranges and how a bad value is corrected come from the schema (src/shared/settings.ts);
// this file only reads the configuration and tells the user, once per distinct problem, which values were corrected.

import * as vscode from 'vscode';
import type { FitOptions } from '../shared/protocol';
import { FIT_SETTINGS } from '../shared/settings';
import { describeProblem, resolveFitOptions, resolveHostNumber, type SettingProblem } from './validation';

/** The keys of every fit setting, in the schema's order. */
export const FIT_SETTING_KEYS: readonly (keyof FitOptions)[] = FIT_SETTINGS.map((s) => s.key as keyof FitOptions);

export interface HostSettings {
  options: FitOptions;
  /** The largest file opened at all (refused above it before a byte is read). */
  maxFileSizeMB: number;
  /** Files within it are read into memory; delimited text, Parquet and Arrow over it are fitted out of core. */
  memoryBudgetMB: number;
  problems: SettingProblem[];
}

export function readSettings(resource?: vscode.Uri): HostSettings {
  const config = vscode.workspace.getConfiguration('mixscope', resource);
  const raw: Record<string, unknown> = {};
  for (const key of FIT_SETTING_KEYS) raw[key] = config.get(key);
  const { options, problems } = resolveFitOptions(raw);
  const maxFileSizeMB = resolveHostNumber('maxFileSizeMB', config.get('maxFileSizeMB'), problems);
  const memoryBudgetMB = resolveHostNumber('memoryBudgetMB', config.get('memoryBudgetMB'), problems);
  return { options, maxFileSizeMB, memoryBudgetMB, problems };
}

const alreadyShown = new Set<string>();

/** Logs every corrected setting and shows each distinct correction once per session (not on every run). */
export function reportSettingProblems(problems: SettingProblem[], output: vscode.OutputChannel): void {
  if (problems.length === 0) return;
  const messages = problems.map(describeProblem);
  for (const m of messages) output.appendLine(`  setting corrected: ${m}`);
  const fresh = messages.filter((m) => !alreadyShown.has(m));
  if (fresh.length === 0) return;
  fresh.forEach((m) => alreadyShown.add(m));
  void vscode.window.showWarningMessage(`Mixscope: ${fresh.join(' ')}`, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'mixscope');
  });
}
