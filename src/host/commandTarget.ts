// Which data file a command such as Stop or Export acts on. Pure (no `vscode` import), so it is tested in plain mocha.
//
// VS Code runs a command from a webview editor's title bar with that editor's own resource, a `webview-panel:` URI.
// It names no data file: the command must then act on the active panel, not look up a fit of that URI.

/** The URI-like argument a command receives (vscode.Uri has both). */
export interface UriLike {
  scheme: string;
  toString(): string;
}

const WEBVIEW_EDITOR_SCHEME = 'webview-panel';

/** The data file a command argument names: a URI of a file, not the webview editor's own resource. */
export function dataFileKey(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const scheme = (arg as Partial<UriLike>).scheme;
  if (typeof scheme !== 'string' || scheme === WEBVIEW_EDITOR_SCHEME) return undefined;
  return String(arg);
}

export type CommandTarget = { kind: 'file'; key: string } | { kind: 'choose'; keys: string[] } | { kind: 'none' };

/**
 * A file named by the argument wins (even when it has nothing to act on: then 'none'); otherwise the active panel's
 * file, then the only candidate; several candidates: ask.
 * @param candidates the files the command can act on (running fits for Stop, finished fits for Export)
 */
export function chooseTarget(arg: unknown, activeKey: string | undefined, candidates: readonly string[]): CommandTarget {
  const named = dataFileKey(arg);
  if (named !== undefined) return candidates.includes(named) ? { kind: 'file', key: named } : { kind: 'none' };
  if (activeKey !== undefined && candidates.includes(activeKey)) return { kind: 'file', key: activeKey };
  if (candidates.length === 1) return { kind: 'file', key: candidates[0] };
  if (candidates.length > 1) return { kind: 'choose', keys: [...candidates] };
  return { kind: 'none' };
}
