// The panel's HTML: a pure string builder (no vscode import) so it can be unit-tested.
// Strict CSP: nothing from the network, scripts only by nonce, no eval (Vega runs through vega-interpreter),
// styles only from our stylesheets (vega-embed's and vega-tooltip's injected <style> are disabled; their CSS is in
// media/panel.css). The DOM ids below are the ones webview/main.ts and the end-to-end tests use.

export interface PanelHtmlOptions {
  /** webview.asWebviewUri(dist/webview.js). */
  scriptUri: string;
  /** webview.asWebviewUri(media/panel.css). */
  styleUri: string;
  /** Optional extra stylesheet (e.g. a vega-embed stylesheet shipped in media/). */
  vegaStyleUri?: string;
  /** webview.cspSource. */
  cspSource: string;
  /** A fresh random nonce per page (base64 / alphanumeric). */
  nonce: string;
  /** Panel title (the data file's name). */
  title: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** The Content-Security-Policy of the panel. */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/**
 * The one inline script (allowed by the nonce): it says `loading` at once, then loads the panel's bundle and says
 * `loadFailed` if it cannot. Every resource of a webview comes through VS Code's webview service worker, which can
 * fail after a window reload (microsoft/vscode#326544); this script is part of the document itself, so the host
 * learns at once that the document is alive but its bundle is not, and moves the panel to a fresh webview. It
 * holds the VS Code API for the bundle (acquireVsCodeApi may be called once per page).
 */
export function bootScript(scriptUri: string): string {
  // JSON is a valid JS string literal; escaping '<' keeps "</script>" from ending the element early.
  const src = JSON.stringify(scriptUri).replace(/</g, '\\u003c');
  return `(function () {
  var api = acquireVsCodeApi();
  window.mixscopeVsCodeApi = api;
  api.postMessage({ type: 'loading' });
  var script = document.createElement('script');
  script.nonce = document.currentScript.nonce;
  script.src = ${src};
  script.onerror = function () { api.postMessage({ type: 'loadFailed', resource: 'script' }); };
  document.body.appendChild(script);
})();`;
}

/** The PNG and SVG export buttons of one chart (webview/main.ts wires every button.export). */
function exportButtons(chart: string): string {
  return ['png', 'svg'].map((f) => `<button type="button" class="export" data-chart="${chart}" data-format="${f}">${f.toUpperCase()}</button>`).join('\n          ');
}

export function panelHtml(o: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64 characters');
  // VS Code's real cspSource is a source list such as `'self' https://*.vscode-cdn.net`: quotes and spaces are
  // legitimate; a directive separator, markup or an 'unsafe-*' keyword is not.
  if (/[;"<>\r\n,]|unsafe-/i.test(o.cspSource)) throw new Error('panelHtml: unexpected characters in cspSource');
  const nonce = o.nonce;
  const attr = (s: string) => escapeHtml(s);
  const title = escapeHtml(o.title);
  const vegaStyle = o.vegaStyleUri ? `\n  <link rel="stylesheet" href="${attr(o.vegaStyleUri)}" nonce="${nonce}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(o.cspSource, nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${nonce}">${vegaStyle}
  <title>${title}</title>
</head>
<body>
  <header id="header">
    <h1 id="title">${title}</h1>
    <div id="subtitle" class="subtitle"></div>
    <div id="status" class="status" role="status" aria-live="polite" data-state="idle">Waiting for the fit…</div>
    <ul id="notes" class="notes"></ul>
  </header>
  <section id="controls" class="controls" aria-label="Fit controls">
    <label>K <input id="k" type="text" inputmode="numeric" size="5" value="auto" required title="A whole number, or auto to choose K again" aria-describedby="control-error"></label>
    <label>max iterations <input id="max-iter" type="number" min="1" max="100000" step="1" value="100" required></label>
    <button id="rerun" type="button">Re-run</button>
    <button id="cancel" type="button" class="secondary" hidden>Cancel</button>
    <span id="control-error" class="control-error" role="alert"></span>
    <span class="spacer"></span>
    <span id="code-bar" class="code-bar" role="group" aria-label="Reproduce in code" hidden>
      <button id="copy-python" type="button" class="secondary" title="Copy a Python script (numpy, scikit-learn) that rebuilds this fitted model on the file and prints its log-likelihood">Copy as Python</button>
      <button id="copy-r" type="button" class="secondary" title="Copy an R script (mclust) that rebuilds this fitted model on the file and prints its log-likelihood">Copy as R</button>
      <button id="open-script" type="button" class="secondary" title="Open the script as a new, unsaved file">Open as a new file</button>
    </span>
  </section>
  <section id="scrubber-bar" class="scrubber" aria-label="Iteration scrubber" hidden>
    <button id="play" type="button" class="secondary" aria-label="Play">▶</button>
    <input id="scrubber" type="range" min="0" max="0" step="1" value="0" aria-label="Iteration">
    <span id="iteration-label" class="iteration-label">iteration 0</span>
  </section>
  <main id="charts">
    <section id="selection-view" class="view" aria-label="Model selection" hidden>
      <div class="chart-card" id="selection-card">
        <div class="chart-toolbar">
          <span class="hint">Model selection — click a point or a row to show that candidate</span>
          <span class="spacer"></span>
          ${exportButtons('selection')}
        </div>
        <div id="selection-progress" class="hint"></div>
        <div id="selection" class="chart"></div>
        <div id="selection-shown" class="selection-shown" hidden>
          <span id="selection-note"></span>
          <button id="selection-back" type="button" class="link" hidden>Back to the chosen model</button>
        </div>
        <p id="selection-clarity" class="metrics"></p>
        <table id="selection-ranking" class="params ranking"></table>
      </div>
    </section>
    <section id="gaussian-view" class="view" hidden>
      <div class="chart-card" id="scatter-card">
        <div id="sample-note" class="hint sample-note" hidden></div>
        <div id="scatter-toolbar" class="chart-toolbar">
          <label>x <select id="x-col"></select></label>
          <label>y <select id="y-col"></select></label>
          <label>view <select id="view-kind"></select></label>
          <span class="spacer"></span>
          ${exportButtons('scatter')}
        </div>
        <div id="scatter" class="chart"></div>
        <table id="uncertain-rows" class="params" hidden></table>
        <div id="pairs-card" hidden>
          <div id="pairs-toolbar" class="chart-toolbar">
            <span class="hint">Columns (2 to 8):</span>
            <span id="pair-columns" class="pair-columns"></span>
            <span class="spacer"></span>
            ${exportButtons('pairs')}
          </div>
          <div id="pairs" class="chart"></div>
        </div>
        <div id="histogram-toolbar" class="chart-toolbar" hidden>
          <span class="spacer"></span>
          ${exportButtons('histogram')}
        </div>
        <div id="histogram" class="chart"></div>
      </div>
    </section>
    <section id="bernoulli-view" class="view" hidden>
      <div class="chart-card" id="images-card">
        <div class="chart-toolbar">
          <span class="hint">Cluster mean images — click one to see its members</span>
          <span class="colour-scale" title="P(pixel on)">P(pixel on) 0 <span id="images-scale-bar" class="colour-scale-bar"></span> 1</span>
          <span class="spacer"></span>
          ${exportButtons('images')}
        </div>
        <div id="images" class="chart"></div>
        <div id="examples" class="examples" hidden></div>
      </div>
    </section>
    <section id="poisson-view" class="view" hidden>
      <div class="chart-card" id="rates-card">
        <div class="chart-toolbar">
          <span class="hint">Rates λ per cluster and column (expected count per row)</span>
          <span class="spacer"></span>
          ${exportButtons('rates')}
        </div>
        <div id="rates" class="chart"></div>
      </div>
      <div class="chart-card" id="counts-card" hidden>
        <div class="chart-toolbar">
          <span class="hint">Counts per column: share of rows (bars) and the fitted mixture's probability (line)</span>
          <span class="spacer"></span>
          ${exportButtons('counts')}
        </div>
        <div id="counts" class="chart"></div>
      </div>
    </section>
    <section id="categorical-view" class="view" hidden>
      <div class="chart-card" id="profiles-card">
        <div class="chart-toolbar">
          <span class="hint">Each cluster's answer profile: the probability of every category of every column</span>
          <span class="spacer"></span>
          ${exportButtons('profiles')}
        </div>
        <div id="profiles" class="chart"></div>
      </div>
    </section>
    <section id="common-view" class="view" hidden>
      <div class="chart-card" id="confusion-card" hidden>
        <div class="chart-toolbar">
          <span class="hint">Clusters × labels (the labels never enter the fit)</span>
          <span class="spacer"></span>
          ${exportButtons('confusion')}
        </div>
        <div id="confusion" class="chart"></div>
        <div id="label-metrics" class="metrics"></div>
      </div>
      <div class="chart-card" id="loglik-card">
        <div class="chart-toolbar">
          <span class="hint" id="loglik-hint">Log-likelihood per iteration</span>
          <span class="spacer"></span>
          ${exportButtons('loglik')}
        </div>
        <div id="loglik" class="chart"></div>
      </div>
      <div class="chart-card" id="params-card">
        <table id="params" class="params"></table>
      </div>
    </section>
    <section id="history-view" class="view" aria-label="Runs of this file" hidden>
      <div class="chart-card" id="history-card">
        <div class="chart-toolbar"><span class="hint" id="history-hint">Runs of this file</span></div>
        <table id="history-runs" class="params ranking"></table>
        <div id="history-compare" hidden>
          <p id="history-delta" class="metrics"></p>
          <div id="history-chart-card" hidden>
            <div class="chart-toolbar">
              <span class="hint">The two runs on the scatter's axes (components paired by their means)</span>
              <span class="spacer"></span>
              ${exportButtons('history')}
            </div>
            <div id="history" class="chart"></div>
          </div>
          <div id="history-images" class="history-images" hidden></div>
          <div class="history-tables"><table id="history-a" class="params"></table><table id="history-b" class="params"></table></div>
        </div>
      </div>
    </section>
  </main>
  <script nonce="${nonce}">${bootScript(o.scriptUri)}</script>
</body>
</html>`;
}
