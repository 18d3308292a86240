// Mixscope's extension entry point: wires the output channel, the panels (and their serializer, so a panel survives
// a window reload), the fit manager and the commands. The fits themselves run in worker threads (dist/worker.js).

import * as vscode from 'vscode';
import { FitManager, registerCommands, rerunFromPanel, type CommandEnv } from './commands';
import { PANEL_VIEW_TYPE, PanelManager } from './panel';

let fits: FitManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Mixscope', { log: true });
  context.subscriptions.push(output);

  // Context keys for menus: whether any fit runs / any result exists, and the same for the active panel.
  let contextUpdate: NodeJS.Timeout | undefined;
  const changed = () => {
    if (contextUpdate) return;
    contextUpdate = setTimeout(() => {
      contextUpdate = undefined;
      const active = panels.active();
      void vscode.commands.executeCommand('setContext', 'mixscope.fitRunning', (fits?.running().length ?? 0) > 0);
      void vscode.commands.executeCommand('setContext', 'mixscope.hasResult', panels.all().some((p) => p.result));
      void vscode.commands.executeCommand('setContext', 'mixscope.activePanelRunning', !!active && !!fits?.isRunning(active.fileUri));
      void vscode.commands.executeCommand('setContext', 'mixscope.activePanelHasResult', !!active?.result);
    }, 0);
  };

  const env = {} as CommandEnv;
  const panels = new PanelManager({
    extensionUri: context.extensionUri,
    output,
    rerun: (panel, k, maxIterations) => rerunFromPanel(env, panel, k, maxIterations),
    cancel: (panel) => {
      if (!fits?.cancel(panel.key, 'user')) output.info(`${panel.fileName}: cancel from the panel, but no fit was running`);
    },
    // Closing a panel while its fit runs terminates the worker.
    closed: (panel) => void fits?.cancel(panel.key, 'panel-closed'),
    changed,
  });
  fits = new FitManager({ extensionUri: context.extensionUri, output, panels, changed });
  Object.assign(env, { extensionUri: context.extensionUri, output, panels, changed, fits });

  registerCommands(context, env);
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, panels),
    { dispose: () => fits?.cancelAll('shutdown') },
  );
  changed();
  output.info(`Mixscope ${context.extension.packageJSON.version ?? ''} activated (workspace trusted: ${vscode.workspace.isTrusted})`);
}

export function deactivate(): void {
  fits?.cancelAll('shutdown');
  fits = undefined;
}
