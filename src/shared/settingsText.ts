// Text made from the settings schema (settings.ts): the output channel's summary of a
// fit's settings, README's settings table and package.json's `contributes.configuration`.

import { ADDED_LATER, FIT_SETTINGS, SETTINGS, copyDefault, formatValue, type FitOptions, type InitParams, type ModelKind, type SettingSpec } from './settings';

export { formatValue };



/** Whether a setting changes the fit of `family` (every setting applies when the family is not known yet). */
export function appliesTo(spec: SettingSpec, family: ModelKind | undefined): boolean {
  return spec.families === 'all' || family === undefined || spec.families.includes(family);
}

/**
 * The settings a fit used, one line each (`k = 3`), only those that apply to the fitted family: for the output
 * channel. `family` defaults to options.model unless it is 'auto'.
 */
export function describeOptions(options: FitOptions, family?: ModelKind): string[] {
  const fitted = family ?? (options.model === 'auto' ? undefined : options.model);
  const lines: string[] = [];
  // With a fixed K and no list of models there is nothing to choose: the selection settings are left out.
  const selecting = options.k === 'auto' || options.covarianceModels !== 'auto';
  for (const spec of FIT_SETTINGS) {
    if (!appliesTo(spec, fitted)) continue;
    if (!selecting && ADDED_LATER.has(spec.key)) continue;
    const value = (options as unknown as Record<string, unknown>)[spec.key];
    let text: string;
    if (spec.kind === 'initParams') {
      if (value === undefined) continue;
      const p = value as InitParams;
      text = `${p.weights.length} components × ${p.means[0]?.length ?? 0} dimensions (explicit start)`;
    } else if (spec.kind === 'stringList' && Array.isArray(value) && value.length === 0) text = '(every numeric column)';
    else text = formatValue(spec, value);
    lines.push(`${spec.key} = ${text}`);
  }
  return lines;
}

/** The "Range / values" column of README's table. */
export function rangeDescription(spec: SettingSpec): string {
  if (spec.rangeText) return spec.rangeText;
  switch (spec.kind) {
    case 'number': {
      if (!Number.isFinite(spec.max)) return `${spec.exclusiveMin ? '>' : '≥'} ${spec.min}`;
      if (!spec.exclusiveMin && !spec.exclusiveMax) return `${spec.min} – ${spec.max}`;
      return `${spec.min} ${spec.exclusiveMin ? '<' : '≤'} x ${spec.exclusiveMax ? '<' : '≤'} ${spec.max}`;
    }
    case 'enum':
      return spec.values.map((v) => `\`${v}\``).join(', ');
    case 'numberPair':
      return `two numbers ≥ ${spec.min}`;
    case 'text':
      return spec.expectation;
    default:
      return '';
  }
}

/** README's settings table (markdown), so the docs can be regenerated from the schema. */
export function settingsMarkdownTable(): string {
  const rows = SETTINGS.map((spec: SettingSpec) => {
    const cells = [`\`mixscope.${spec.key}\``, `\`${formatValue(spec, spec.default)}\``, rangeDescription(spec), spec.description.replace(/\|/g, '\\|')];
    return `| ${cells.join(' | ')} |`;
  });
  return ['| Setting | Default | Range / values | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Markdown as plain text for VS Code's `description` (the Settings UI shows markdownDescription when present). */
function plainText(markdown: string): string {
  return markdown.replace(/`/g, '');
}

/** package.json's `contributes.configuration.properties`, as JSON Schema for the Settings UI. */
export function configurationProperties(): Record<string, Record<string, unknown>> {
  const properties: Record<string, Record<string, unknown>> = {};
  SETTINGS.forEach((spec: SettingSpec, index) => {
    const p: Record<string, unknown> = {};
    switch (spec.kind) {
      case 'number':
        p.type = spec.integer ? 'integer' : 'number';
        p[spec.exclusiveMin ? 'exclusiveMinimum' : 'minimum'] = spec.min;
        if (Number.isFinite(spec.max)) p[spec.exclusiveMax ? 'exclusiveMaximum' : 'maximum'] = spec.max;
        // A number or the string "auto": JSON Schema's minimum and maximum constrain numbers only, pattern strings only.
        if (spec.auto) {
          p.type = [p.type, 'string'];
          p.pattern = '^auto$';
          p.patternErrorMessage = 'K is "auto" or a whole number.';
        }
        break;
      case 'text':
        p.type = 'string';
        p.pattern = spec.pattern;
        p.patternErrorMessage = `Expected ${spec.expectation}.`;
        break;
      case 'enum':
        p.type = 'string';
        p.enum = [...spec.values];
        p.enumDescriptions = [...spec.valueDescriptions];
        break;
      case 'boolean':
        p.type = 'boolean';
        break;
      case 'stringList':
        p.type = 'array';
        p.items = { type: 'string' };
        break;
      case 'numberPair':
        p.type = 'array';
        p.items = { type: 'number', minimum: spec.min, maximum: spec.max };
        p.minItems = 2;
        p.maxItems = 2;
        break;
      case 'initParams':
        p.type = ['object', 'null'];
        p.properties = {
          weights: { type: 'array', items: { type: 'number' } },
          means: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
          covariances: { type: 'array' },
        };
        break;
    }
    p.default = copyDefault(spec);
    p.scope = 'resource';
    p.order = index + 1;
    p.description = plainText(spec.description);
    if (p.description !== spec.description) p.markdownDescription = spec.description;
    properties[`mixscope.${spec.key}`] = p;
  });
  return properties;
}
