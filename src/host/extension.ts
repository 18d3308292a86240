// Mixscope's extension entry point: wires the output channel, the panels (and their serializer, so a panel survives
// a window reload with the last result the host kept), the registry of fits and the commands. The fits themselves
// run in worker threads (dist/worker.js).

import * as vscode from 'vscode';
import { registerCodeLenses } from './codeLens';
import { registerCommands, rerunFromPanel } from './commands';
import { FitRegistry } from './fits';
import { PANEL_VIEW_TYPE, PanelManager } from './panel';
import { PanelStore } from './panelStore';
import type { PanelState } from '../shared/protocol';
import { registerSampleCommands } from './walkthrough';

let fits: FitRegistry | undefined;

/** What the extension returns from activate(), for scripts and tests: read-only. */
export interface MixscopeApi {
  /** The state the file's panel shows (the running or last run: its options, loaded summary and result), if it has a panel. */
  panelState(uri: vscode.Uri): PanelState | undefined;
}

export function activate(context: vscode.ExtensionContext): MixscopeApi {
  const output = vscode.window.createOutputChannel('Mixscope', { log: true });
  context.subscriptions.push(output);

  // Context keys for menus: whether any fit runs / any result exists, and the same for the active panel.
  let contextUpdate: NodeJS.Timeout | undefined;
  const changed = () => {
    if (contextUpdate) return;
    contextUpdate = setTimeout(() => {
      contextUpdate = undefined;
      const active = panels.active();
      void vscode.commands.executeCommand('setContext', 'mixscope.fitRunning', (registry.running().length ?? 0) > 0);
      void vscode.commands.executeCommand('setContext', 'mixscope.hasResult', panels.all().some((p) => p.result));
      void vscode.commands.executeCommand('setContext', 'mixscope.activePanelRunning', !!active?.isRunning);
      void vscode.commands.executeCommand('setContext', 'mixscope.activePanelHasResult', !!active?.result);
    }, 0);
  };

  // The registry opens panels; a panel's re-run goes to the registry (cancel and close go to its own session).
  const registry: FitRegistry = new FitRegistry({ extensionUri: context.extensionUri, output, openPanel: (uri) => panels.open(uri), changed });
  const panels: PanelManager = new PanelManager({
    extensionUri: context.extensionUri,
    output,
    store: new PanelStore(context.workspaceState),
    rerun: (panel, k, maxIterations) => rerunFromPanel(registry, panel, k, maxIterations),
    closed: () => undefined,
    changed,
  });
  fits = registry;

  registerCommands(context, { output, panels, fits: registry });
  registerCodeLenses(context);
  registerSampleCommands(context, registry, output);
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, panels),
    { dispose: () => fits?.cancelAll('shutdown') },
  );
  changed();
  output.info(`Mixscope ${context.extension.packageJSON.version ?? ''} activated (workspace trusted: ${vscode.workspace.isTrusted})`);
  return { panelState: (uri) => panels.get(uri)?.state };
}

export function deactivate(): void {
  fits?.cancelAll('shutdown');
  fits = undefined;
}
