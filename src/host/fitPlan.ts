// How the extension host fits a file of a given size: read into memory (within mixscope.memoryBudgetMB), streamed by
// the worker from this machine's disk (delimited text, Parquet or Arrow over the budget, a `file:` URI), or refused with why and what
// to do (anything else over the budget: a remote or virtual workspace's file is never read whole past the budget).
// Pure: no `vscode` import (the URI is passed as its scheme), so it runs under plain mocha.

import { planFit, type FitPlan } from '../engine/outOfCorePolicy';

export interface FileLimits {
  /** mixscope.maxFileSizeMB: the largest file opened at all. */
  maxFileSizeMB: number;
  /** mixscope.memoryBudgetMB: files within it are read into memory. */
  memoryBudgetMB: number;
}

/** Why a file of this URI scheme is not on this machine's disk, for the refusal. */
function whereItIs(scheme: string): string {
  if (scheme === 'vscode-remote') return 'it is in a remote workspace (vscode-remote:), and the extension runs on this machine';
  return `it is in a virtual workspace (${scheme}:), not on this machine's disk`;
}

export function planHostFit(uri: { scheme: string }, fileName: string, size: number, limits: FileLimits): FitPlan {
  return planFit({
    fileName,
    size,
    budgetMB: limits.memoryBudgetMB,
    local: uri.scheme === 'file',
    budgetSetting: 'mixscope.memoryBudgetMB',
    whyNotLocal: whereItIs(uri.scheme),
  });
}
