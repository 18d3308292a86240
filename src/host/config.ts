// The mixscope.* settings, read for one data file (settings are resource-scoped) and turned into valid FitOptions.
// The range rules live in validation.ts (pure, unit-tested); this file only reads the configuration and tells the
// user, once per distinct problem, which values were corrected.

import * as vscode from 'vscode';
import type { FitOptions } from '../shared/protocol';
import {
  DEFAULT_MAX_FILE_SIZE_MB,
  MAX_FILE_SIZE_MB_RULE,
  describeProblem,
  resolveFitOptions,
  resolveNumber,
  type SettingProblem,
} from './validation';

export const FIT_SETTING_KEYS: readonly (keyof FitOptions)[] = [
  'model',
  'k',
  'maxIterations',
  'tolerance',
  'seed',
  'init',
  'restarts',
  'covarianceType',
  'regularization',
  'standardize',
  'columns',
  'emVariant',
  'threshold',
  'betaPrior',
  'imageWidth',
  'maxPlotPoints',
  'threads',
  'initParams',
];

export interface HostSettings {
  options: FitOptions;
  maxFileSizeMB: number;
  problems: SettingProblem[];
}

export function readSettings(resource?: vscode.Uri): HostSettings {
  const config = vscode.workspace.getConfiguration('mixscope', resource);
  const raw: Record<string, unknown> = {};
  for (const key of FIT_SETTING_KEYS) raw[key] = config.get(key);
  const { options, problems } = resolveFitOptions(raw);
  const maxFileSizeMB = resolveNumber('maxFileSizeMB', config.get('maxFileSizeMB'), DEFAULT_MAX_FILE_SIZE_MB, MAX_FILE_SIZE_MB_RULE, problems);
  return { options, maxFileSizeMB, problems };
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
