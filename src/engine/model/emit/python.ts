// A saved model as a self-contained Python script: it reads the data file as Mixscope read it (the same rows and
// columns, the same standardisation or binarisation, the same case weights and missing cells), rebuilds the fitted
// mixture from its parameters (a scikit-learn GaussianMixture, or numpy for the Bernoulli, Poisson, categorical and
// mixed families, and for the marginal densities of rows with missing cells, which scikit-learn does not score) and
// prints {"logLikelihood": …} as its last line.
// No CLI concerns here: the CLI prints it, the panel can copy it.

import { OptionsError } from '../../errors';
import type { SavedModel } from '../schema';
import { emitError, formatError, literal, missingRowsSkipped, modelTitle, npyWeightsColumn, weightsField } from './common';

/** How the script reads the rows: the ones the fit used, with their weights and missing cells. */
interface Rows {
  /** Missing numeric cells are read as NaN and integrated out (otherwise their rows are skipped). */
  keepMissing: boolean;
  /** Why rows with a missing numeric cell are skipped (the note the script prints), when they are. */
  skipReason?: string;
  /** The model's case-weights column, if any. */
  weightsColumn?: string;
}

/** The script; `dataFile` is its default input (a first command-line argument replaces it). */
export function emitPython(model: SavedModel, dataFile: string): string {
  const source = model.source;
  const images = model.family === 'bernoulli' || source.pixelScale !== undefined;
  const categorical = model.family === 'categorical' || model.family === 'mixed';
  const mixed = model.family === 'mixed';
  if (mixed && source.format !== 'delimited-text') throw formatError(model, 'Python', 'delimited text files (a mixed model\'s reader)');
  const missingCounts = (model.fit.missingCountCells ?? []).reduce((a, b) => a + b, 0);
  if (missingCounts > 0) {
    throw new OptionsError(
      `${source.fileName}: cannot write Python code for a fit that integrated out ${missingCounts} missing count cell${missingCounts === 1 ? '' : 's'}. ` +
        'Use mixscope predict M.json FILE (it scores such rows on their observed cells), or fit with missing "skip" (CLI: --missing skip).',
    );
  }
  const skipReason = source.format === 'idx' ? undefined : missingRowsSkipped(model);
  const rows: Rows = {
    // IDX pixels are bytes: never missing.
    keepMissing: skipReason === undefined && source.format !== 'idx' && model.family !== 'categorical',
    skipReason,
    weightsColumn: model.preprocessing.weightsColumn ?? undefined,
  };
  const reader = readerFor(model, images, rows);
  const weighted = rows.weightsColumn !== undefined;
  const lines = [
    '#!/usr/bin/env python3',
    `"""${modelTitle(model)}, rebuilt from its fitted parameters.`,
    '',
    'Reads the data file as Mixscope read it and prints the model\'s log-likelihood on it (natural log, summed over the',
    `rows${weighted ? ', each row weighted by its case weight' : ''}) as the last line: {"logLikelihood": ...}. Usage: python3 script.py [DATA_FILE]. Needs numpy${model.family === 'gaussian' ? ' and scikit-learn' : ''}.`,
    '"""',
    'import gzip',
    'import json',
    'import math',
    'import re',
    'import sys',
    '',
    'import numpy as np',
    ...(model.family === 'gaussian' ? ['from sklearn.mixture import GaussianMixture'] : []),
    '',
    `DATA_FILE = sys.argv[1] if len(sys.argv) > 1 else ${literal(dataFile)}`,
    `FITTED_ROWS = ${model.source.n}  # rows of ${model.source.fileName} in the fit`,
    `FITTED_LOG_LIKELIHOOD = ${literal(model.fit.logLikelihood)}`,
    '',
    '',
    'def read_bytes(path):',
    '    with open(path, "rb") as f:',
    '        data = f.read()',
    '    return gzip.decompress(data) if data[:2] == b"\\x1f\\x8b" else data',
    '',
    '',
    ...reader,
    '',
    '',
    ...(model.family === 'gaussian' && !rows.keepMissing ? [] : [...LOG_SUM_EXP, '', '']),
    ...(model.family === 'mixed' || (model.family === 'gaussian' && rows.keepMissing) ? [...OBSERVED_LOG_PROB, '', ''] : []),
    ...(model.family === 'gaussian'
      ? gaussianModel(model, rows.keepMissing)
      : model.family === 'poisson'
        ? poissonModel(model)
        : categorical
          ? categoricalModel(model)
          : bernoulliModel(model, rows.keepMissing)),
    '',
    '',
    'if __name__ == "__main__":',
    ...(mixed ? ['    X, C, A, LINES, W = read_data(DATA_FILE)'] : categorical ? ['    X, A, LINES, W = read_data(DATA_FILE)'] : ['    X, W = read_data(DATA_FILE)']),
    '    if X.shape[0] != FITTED_ROWS:',
    `        print(f"note: {X.shape[0]} rows read; the model was fitted to {FITTED_ROWS} rows of ${model.source.fileName}", file=sys.stderr)`,
    `    row_log_likelihood, assignments = log_likelihood_per_row(${mixed ? 'X, C, A, LINES' : categorical ? 'X, A, LINES' : 'X'})`,
    ...(weighted
      ? [
          '    # Case weights: Σ_i w_i ln p(x_i); a row of weight 0 adds nothing.',
          '    counted = W != 0',
          '    log_likelihood = float((W[counted] * row_log_likelihood[counted]).sum())',
        ]
      : ['    log_likelihood = float(row_log_likelihood.sum())']),
    ...(rows.keepMissing
      ? [
          '    incomplete = int(np.isnan(X).any(axis=1).sum())',
          '    if incomplete:',
          '        print(f"note: {incomplete} rows with missing cells, scored on their observed cells", file=sys.stderr)',
        ]
      : []),
    '    print("rows per component:", np.bincount(assignments, minlength=len(WEIGHTS)).tolist(), file=sys.stderr)',
    '    print(json.dumps({"logLikelihood": log_likelihood}))',
    '',
  ];
  return lines.join('\n');
}

const LOG_SUM_EXP = [
  'def log_sum_exp(log_prob):',
  '    """ln Σ_k exp(log_prob[i, k]) for each row i, without overflow."""',
  '    top = log_prob.max(axis=1, keepdims=True)',
  '    return top[:, 0] + np.log(np.exp(log_prob - top).sum(axis=1))',
];

/** A Gaussian's log-density of each row's observed cells, from the full covariances (any covariance model). */
const OBSERVED_LOG_PROB = [
  'def observed_log_prob(X, weights, means, covariances):',
  '    """ln π_k + ln N(x_o | μ_k[o], Σ_k[o, o]) for each row\'s observed cells o (NaN: missing): the exact marginal',
  '    density, its missing cells integrated out. Rows are grouped by which cells they observe."""',
  '    observed = ~np.isnan(X)',
  '    log_prob = np.tile(np.log(weights), (X.shape[0], 1))',
  '    patterns, which = np.unique(observed, axis=0, return_inverse=True)',
  '    which = which.reshape(-1)',
  '    for p, o in enumerate(patterns):',
  '        if not o.any():',
  '            continue  # no observed cell: a factor 1',
  '        rows = np.flatnonzero(which == p)',
  '        Xo = X[np.ix_(rows, np.flatnonzero(o))]',
  '        for k in range(len(weights)):',
  '            L = np.linalg.cholesky(covariances[k][np.ix_(o, o)])',
  '            z = np.linalg.solve(L, (Xo - means[k][o]).T)',
  '            log_det = 2.0 * np.log(np.diag(L)).sum()',
  '            log_prob[rows, k] += -0.5 * (o.sum() * math.log(2 * math.pi) + log_det + (z * z).sum(axis=0))',
  '    return log_prob',
];

function readerFor(model: SavedModel, images: boolean, rows: Rows): string[] {
  const source = model.source;
  switch (source.format) {
    case 'delimited-text':
      return textReader(model, images, rows);
    case 'idx':
      return [
        'def read_data(path):',
        '    """An IDX file of unsigned bytes (MNIST): a big-endian header 00 00 08 ndim, ndim sizes, then the pixels."""',
        '    data = read_bytes(path)',
        '    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:',
        '        sys.exit(f"{path}: not an IDX file of unsigned bytes")',
        '    ndim = data[3]',
        '    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]',
        '    pixels = np.frombuffer(data, dtype=np.uint8, count=int(np.prod(shape)), offset=4 + 4 * ndim)',
        '    return pixels.reshape(shape[0], -1).astype(np.float64), None',
      ];
    case 'npy':
      return npyReader(model, rows);
    default:
      throw formatError(model, 'Python');
  }
}

function npyReader(model: SavedModel, rows: Rows): string[] {
  const weightsColumn = npyWeightsColumn(model);
  return [
    'def read_data(path):',
    `    """A NumPy .npy array: images (3-D) flattened to one row each; rows with infinite values${rows.keepMissing ? ' or no finite value' : ' or NaN'} skipped${rows.keepMissing ? ' (NaN: a missing cell)' : ''}."""`,
    '    import io',
    '    X = np.load(io.BytesIO(read_bytes(path)), allow_pickle=False)',
    '    X = X.reshape(X.shape[0], -1).astype(np.float64)',
    ...(weightsColumn !== undefined
      ? [
          `    # Column x${weightsColumn + 1} holds the case weights: numbers >= 0 on every row.`,
          `    W = X[:, ${weightsColumn}]`,
          '    bad = np.flatnonzero(~(W >= 0) | ~np.isfinite(W))',
          '    if bad.size:',
          `        sys.exit(f"{path}: row {bad[0] + 1}: the weight in column x${weightsColumn + 1} is {W[bad[0]]}; case weights must be numbers >= 0 (0 leaves the row out)")`,
          `    X = np.delete(X, ${weightsColumn}, axis=1)`,
        ]
      : ['    W = None']),
    ...(rows.keepMissing
      ? ['    keep = (np.isfinite(X) | np.isnan(X)).all(axis=1) & np.isfinite(X).any(axis=1)']
      : [
          '    keep = np.isfinite(X).all(axis=1)',
          ...(rows.skipReason
            ? [
                '    incomplete = int((np.isnan(X).any(axis=1) & ~np.isinf(X).any(axis=1) & ~np.isnan(X).all(axis=1)).sum())',
                '    if incomplete:',
                `        print(f"note: {incomplete} " + ${literal(skipNote(rows.skipReason))}, file=sys.stderr)`,
              ]
            : []),
        ]),
    `    return X[keep], ${weightsColumn !== undefined ? 'W[keep]' : 'None'}`,
  ];
}

/** "rows with missing cells skipped, as the fit skipped them (missing is "skip")" */
export function skipNote(reason: string): string {
  return `rows with missing cells skipped, as the fit skips them (${reason})`;
}

/** Mixscope's delimited-text rules for this file's layout: the same rows kept, the same fields read. */
function textReader(model: SavedModel, images: boolean, rows: Rows): string[] {
  const text = model.source.text;
  if (!text) throw emitError(model, 'Python', 'a text file whose layout the model does not record');
  const fieldsList = `[${text.columnFields.join(', ')}]`;
  const categories = model.categories ?? [];
  // A mixed model reads its continuous columns (X), its count columns (C) and its answers (A), each possibly empty.
  const mixed = model.family === 'mixed';
  const categorical = categories.length > 0 || mixed;
  if (categories.length > 0 && text.categoricalFields?.length !== categories.length) throw emitError(model, 'Python', 'a text file whose categorical fields the model does not record');
  const counts = mixed ? (model.countColumns ?? []) : [];
  if (counts.length > 0 && text.countFields?.length !== counts.length) throw emitError(model, 'Python', 'a text file whose count fields the model does not record');
  const weightField = weightsField(model, 'Python');
  const weighted = weightField !== undefined;
  const { keepMissing, skipReason } = rows;
  const noteSkipped = !keepMissing && skipReason !== undefined && text.columnFields.length > 0;
  return [
    `DELIMITER = ${literal(text.delimiter)}  # " " stands for runs of spaces and tabs`,
    `DECIMAL_COMMA = ${text.decimalComma ? 'True' : 'False'}`,
    `TABLE_START = ${text.tableStart}  # 0-based line of the table's first row`,
    `FIELDS = ${text.fields}  # fields per row; rows with another count are skipped`,
    `TRAILING_DELIMITER = ${text.trailingDelimiter ? 'True' : 'False'}`,
    `COLUMN_FIELDS = ${fieldsList}  # ${model.columns.length > 0 && !images ? model.columns.map((c) => JSON.stringify(c)).join(', ') : 'the pixel fields'}`,
    ...(categorical ? [`CATEGORY_FIELDS = [${(text.categoricalFields ?? []).slice(0, categories.length).join(', ')}]  # ${categories.length > 0 ? categories.map((c) => JSON.stringify(c.column)).join(', ') : 'no categorical columns'}`] : []),
    ...(mixed ? [`COUNT_FIELDS = [${(text.countFields ?? []).join(', ')}]  # ${counts.length > 0 ? counts.map((c) => JSON.stringify(c)).join(', ') : 'no count columns'}`] : []),
    `LABEL_FIELD = ${text.labelField ?? 'None'}  # ${text.labelColumn ? `column ${JSON.stringify(text.labelColumn)}: rows without ${text.labelText ? 'a label' : 'an integer label'} are skipped` : 'no label column'}`,
    `LABEL_TEXT = ${text.labelText ? 'True' : 'False'}  # text labels (any non-missing cell) rather than integers`,
    ...(weighted
      ? [
          `WEIGHTS_COLUMN = ${literal(rows.weightsColumn)}`,
          `WEIGHTS_FIELD = ${weightField}  # case weights (not a feature): a number >= 0 on every row of FIELDS fields`,
        ]
      : []),
    `KEEP_MISSING = ${keepMissing ? 'True' : 'False'}  # ${keepMissing ? 'missing numeric cells are read as NaN and integrated out' : skipReason ? `rows with a missing numeric cell are skipped: ${skipReason}` : 'no numeric column'}`,
    'MISSING = {"", "na", "n/a", "nan", "-nan", "null", "none", "?", "#n/a"}',
    'NUMBER = re.compile(r"^[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?$")',
    '',
    '',
    'def number(cell):',
    '    """The value of a cell, or None when it is missing, text or not finite."""',
    '    s = cell.strip()',
    '    if DECIMAL_COMMA and "," in s:',
    '        i = s.index(",")',
    '        if "." in s or not s[i + 1:i + 2].isdigit():',
    '            return None',
    '        s = s.replace(",", ".", 1)',
    '    if not NUMBER.match(s):',
    '        return None',
    '    v = float(s)',
    '    return v if math.isfinite(v) else None',
    '',
    '',
    'def is_missing(cell):',
    '    """Empty, or a missing-value token (NA, NaN, null, ?, …)."""',
    '    return cell.strip().strip(\'"\').lower() in MISSING',
    '',
    '',
    ...(categorical
      ? [
          'def category(cell):',
          '    # The answer in a categorical cell (its text), or None when it is missing.',
          '    s = cell.strip()',
          '    return None if s.lower() in MISSING else s',
          '',
          '',
        ]
      : []),
    'def split(line):',
    '    if \'"\' in line:',
    '        import csv',
    '        if DELIMITER == " ":',
    '            return [f for f in next(csv.reader([line.strip().replace("\\t", " ")], delimiter=" ")) if f != ""]',
    '        return next(csv.reader([line], delimiter=DELIMITER))',
    '    return line.split() if DELIMITER == " " else line.split(DELIMITER)',
    '',
    '',
    'def read_data(path):',
    '    lines = re.split(r"\\r\\n|\\r|\\n", read_bytes(path).decode("utf-8-sig", errors="replace"))',
    '    rows = []',
    ...(weighted ? ['    weights = []'] : []),
    ...(categorical ? ['    answers = []  # per row, its categorical cells (None: missing)', '    row_lines = []  # 1-based line of each row'] : []),
    ...(mixed ? ['    count_rows = []'] : []),
    ...(noteSkipped ? ['    incomplete = 0  # rows skipped for their missing cells'] : []),
    '    i = TABLE_START',
    '    while i < len(lines):',
    '        line = lines[i]',
    '        i += 1',
    '        line_number = i',
    '        content = line.lstrip("".join(chr(c) for c in range(33)))',
    '        if content == "" or content[0] in "#%":',
    '            continue  # blank and comment lines',
    '        if line.count(\'"\') % 2 == 1:  # a quoted field that goes on over the next lines',
    '            for j in range(i, min(len(lines), i + 100)):',
    '                if lines[j].count(\'"\') % 2 == 1:',
    '                    line = "\\n".join(lines[i - 1:j + 1])',
    '                    i = j + 1',
    '                    break',
    '        fields = split(line)',
    '        if TRAILING_DELIMITER and len(fields) == FIELDS + 1 and fields[-1].strip() == "":',
    '            fields.pop()',
    '        if len(fields) != FIELDS:',
    '            continue',
    ...(weighted
      ? [
          '        weight = number(fields[WEIGHTS_FIELD])',
          '        if weight is None or weight < 0:',
          '            sys.exit(f"line {line_number}: the weight in column {WEIGHTS_COLUMN!r} is {fields[WEIGHTS_FIELD].strip()!r}; case weights must be numbers >= 0 (0 leaves the row out)")',
        ]
      : []),
    '        values = [number(fields[f]) for f in COLUMN_FIELDS]',
    '        if any(v is None for v in values):',
    ...(keepMissing
      ? [
          '            if any(v is None and not is_missing(fields[f]) for v, f in zip(values, COLUMN_FIELDS)):',
          '                continue  # text, or a number that is not finite',
          '            values = [math.nan if v is None else v for v in values]',
        ]
      : [...(noteSkipped ? ['            if any(is_missing(fields[f]) for f in COLUMN_FIELDS):', '                incomplete += 1'] : []), '            continue']),
    ...(mixed
      ? [
          '        row_counts = [number(fields[f]) for f in COUNT_FIELDS]',
          '        if any(v is None for v in row_counts):',
          '            continue',
        ]
      : []),
    ...(categorical ? ['        row_answers = [category(fields[f]) for f in CATEGORY_FIELDS]'] : []),
    // Counts are never missing here (a fit with missing counts is refused above): a row with them has observed cells.
    ...(counts.length > 0
      ? []
      : categorical
      ? ['        if all(math.isnan(v) for v in values) and all(a is None for a in row_answers):', '            continue  # no observed cell']
      : keepMissing
        ? ['        if all(math.isnan(v) for v in values):', '            continue  # no observed cell']
        : []),
    '        if LABEL_FIELD is not None:',
    '            if LABEL_TEXT:',
    '                if is_missing(fields[LABEL_FIELD]):',
    '                    continue',
    '            else:',
    '                label = number(fields[LABEL_FIELD])',
    '                if label is None or label != int(label):',
    '                    continue',
    '        rows.append(values)',
    ...(weighted ? ['        weights.append(weight)'] : []),
    ...(categorical ? ['        answers.append(row_answers)', '        row_lines.append(line_number)'] : []),
    ...(mixed ? ['        count_rows.append(row_counts)'] : []),
    ...(noteSkipped ? ['    if incomplete:', `        print(f"note: {incomplete} " + ${literal(skipNote(skipReason!))}, file=sys.stderr)`] : []),
    `    X = np.array(rows, dtype=np.float64).reshape(len(rows), ${text.columnFields.length})`,
    `    W = ${weighted ? 'np.array(weights, dtype=np.float64)' : 'None'}`,
    ...(mixed ? [`    C = np.array(count_rows, dtype=np.float64).reshape(len(count_rows), ${counts.length})`] : []),
    mixed ? '    return X, C, answers, row_lines, W' : categorical ? '    return X, answers, row_lines, W' : '    return X, W',
  ];
}

function gaussianModel(model: SavedModel, keepMissing: boolean): string[] {
  const name = model.covarianceModel!;
  const { weights, means, covariances } = model.parameters;
  const k = model.k;
  const standardization = model.preprocessing.standardization;
  const scale = model.source.pixelScale;
  // scikit-learn's own types in their own shapes; mclust's models (and a variational fit's expected parameters)
  // are a full covariance per component, which scikit-learn's "full" type evaluates as they are.
  const sklearnType = name === 'diag' || name === 'spherical' || name === 'tied' ? name : 'full';
  const compact =
    sklearnType === 'diag'
      ? covariances!.map((m) => m.map((row, r) => row[r]))
      : sklearnType === 'spherical'
        ? covariances!.map((m) => m[0][0])
        : sklearnType === 'tied'
          ? covariances![0]
          : covariances!;
  const precisionCholesky =
    sklearnType === 'full'
      ? 'np.array([np.linalg.inv(np.linalg.cholesky(c)).T for c in COVARIANCES])'
      : sklearnType === 'tied'
        ? 'np.linalg.inv(np.linalg.cholesky(COVARIANCES)).T'
        : '1.0 / np.sqrt(COVARIANCES)';
  // The same covariances as K full matrices, for the marginal densities of rows with missing cells.
  const fullCovariances = {
    full: 'COVARIANCES',
    tied: 'np.repeat(COVARIANCES[None], len(WEIGHTS), axis=0)',
    diag: 'np.array([np.diag(c) for c in COVARIANCES])',
    spherical: 'np.array([c * np.eye(MEANS.shape[1]) for c in COVARIANCES])',
  }[sklearnType];
  const why = sklearnType === name ? `scikit-learn's covariance_type "${name}"` : name === 'variational' ? 'the expected parameters of the variational fit, one full covariance per component' : `mclust's model ${name}: a full covariance per component, as scikit-learn's "full"`;
  return [
    `# ${why}`,
    `WEIGHTS = np.array(${literal(weights)})`,
    `MEANS = np.array(${literal(means)})`,
    `COVARIANCES = np.array(${literal(compact)})`,
    ...(standardization
      ? [
          '# The columns were standardised with the fitted file\'s means and (population) standard deviations.',
          `STANDARDIZATION_MEAN = np.array(${literal(standardization.mean)})`,
          `STANDARDIZATION_SD = np.array(${literal(standardization.sd)})`,
        ]
      : []),
    '',
    '',
    'def log_likelihood_per_row(X):',
    '    """Each row\'s ln p(x) and its most responsible component."""',
    ...(scale !== undefined ? [`    X = X / ${literal(scale)}  # pixel intensities in [0, 1]`] : []),
    ...(standardization ? ['    X = (X - STANDARDIZATION_MEAN) / STANDARDIZATION_SD'] : []),
    `    gm = GaussianMixture(n_components=${k}, covariance_type="${sklearnType}")`,
    '    gm.weights_ = WEIGHTS',
    '    gm.means_ = MEANS',
    '    gm.covariances_ = COVARIANCES',
    `    gm.precisions_cholesky_ = ${precisionCholesky}`,
    ...(keepMissing
      ? [
          '    # scikit-learn scores complete rows; a row with missing cells gets the density of its observed cells.',
          '    complete = ~np.isnan(X).any(axis=1)',
          '    row_log_likelihood = np.empty(X.shape[0])',
          '    assignments = np.empty(X.shape[0], dtype=np.int64)',
          '    if complete.any():',
          '        row_log_likelihood[complete] = gm.score_samples(X[complete])',
          '        assignments[complete] = gm.predict(X[complete])',
          '    if not complete.all():',
          `        log_prob = observed_log_prob(X[~complete], WEIGHTS, MEANS, ${fullCovariances})`,
          '        row_log_likelihood[~complete] = log_sum_exp(log_prob)',
          '        assignments[~complete] = log_prob.argmax(axis=1)',
          '    return row_log_likelihood, assignments',
        ]
      : ['    return gm.score_samples(X), gm.predict(X)']),
  ];
}

function bernoulliModel(model: SavedModel, keepMissing: boolean): string[] {
  const image = model.preprocessing.image!;
  return [
    '# A mixture of multivariate Bernoulli distributions: p(x) = Σ_k π_k Π_j μ_kj^x_j (1 − μ_kj)^(1 − x_j).',
    ...(keepMissing ? ["# A missing cell drops out of its row's product (its exact marginal)."] : []),
    `WEIGHTS = np.array(${literal(model.parameters.weights)})`,
    `MEANS = np.array(${literal(model.parameters.means)})  # K × D pixel probabilities`,
    `PIXEL_SCALE = ${literal(image.pixelScale)}  # the value that means "fully on"`,
    `THRESHOLD = ${literal(image.threshold)}  # a pixel is 1 when value / PIXEL_SCALE > THRESHOLD`,
    '',
    '',
    'def log_likelihood_per_row(X):',
    '    """Each row\'s ln p(x) and its most responsible component."""',
    ...(keepMissing
      ? [
          '    observed = (~np.isnan(X)).astype(np.float64)',
          '    B = (np.nan_to_num(X) / PIXEL_SCALE > THRESHOLD).astype(np.float64)',
          '    log_prob = np.log(WEIGHTS) + (B * observed) @ np.log(MEANS).T + ((1.0 - B) * observed) @ np.log1p(-MEANS).T',
        ]
      : [
          '    B = (X / PIXEL_SCALE > THRESHOLD).astype(np.float64)',
          '    log_prob = np.log(WEIGHTS) + B @ np.log(MEANS).T + (1.0 - B) @ np.log1p(-MEANS).T',
        ]),
    '    return log_sum_exp(log_prob), log_prob.argmax(axis=1)',
  ];
}

function poissonModel(model: SavedModel): string[] {
  return [
    '# Independent Poisson counts per column in each component: p(x) = Σ_k π_k Π_j λ_kj^x_j e^(−λ_kj) / x_j!.',
    `WEIGHTS = np.array(${literal(model.parameters.weights)})`,
    `RATES = np.array(${literal(model.parameters.means)})  # K × D rates λ`,
    '',
    '',
    'def log_likelihood_per_row(X):',
    '    """Each row\'s ln p(x) and its most responsible component."""',
    '    log_factorial = np.vectorize(math.lgamma)(X + 1.0).sum(axis=1, keepdims=True)',
    '    log_prob = np.log(WEIGHTS) + X @ np.log(RATES).T - RATES.sum(axis=1) - log_factorial',
    '    return log_sum_exp(log_prob), log_prob.argmax(axis=1)',
  ];
}

/**
 * A categorical model (latent class analysis) or a mixed one (any two or three of: a Gaussian block on the continuous
 * columns, any covariance model as its full K × D × D covariances; a Poisson block on the count columns; the
 * categorical block), in plain numpy.
 */
function categoricalModel(model: SavedModel): string[] {
  const mixed = model.family === 'mixed';
  const categories = model.categories ?? [];
  const gaussian = mixed && model.d > 0;
  const counts = mixed ? (model.countColumns ?? []) : [];
  const standardization = model.preprocessing.standardization;
  const blocks = [gaussian ? 'N(x_continuous | μ_k, Σ_k)' : '', counts.length > 0 ? 'Π_j λ_kj^c_j e^(−λ_kj) / c_j!' : '', categories.length > 0 ? 'Π_j θ_kj[a_j]' : ''].filter(Boolean);
  return [
    mixed
      ? `# p(x) = Σ_k π_k ${blocks.join(' ')}: ${[gaussian ? 'a Gaussian block' : '', counts.length > 0 ? 'a Poisson block' : '', categories.length > 0 ? 'a categorical block' : ''].filter(Boolean).join(', ')}, independent given k.`
      : '# Latent class analysis: p(x) = Σ_k π_k Π_j θ_kj[x_j], independent categorical columns given k.',
    gaussian
      ? "# A missing answer drops out of its row's product, and missing numbers out of the Gaussian block (exact marginals)."
      : "# A missing answer drops out of its row's product (its exact marginal).",
    `WEIGHTS = np.array(${literal(model.parameters.weights)})`,
    ...(gaussian
      ? [
          `# The covariance model ${model.covarianceModel}, as a full covariance per component.`,
          `MEANS = np.array(${literal(model.parameters.means)})`,
          `COVARIANCES = np.array(${literal(model.parameters.covariances)})`,
          ...(standardization ? [`STANDARDIZATION_MEAN = np.array(${literal(standardization.mean)})`, `STANDARDIZATION_SD = np.array(${literal(standardization.sd)})`] : []),
        ]
      : []),
    ...(counts.length > 0 ? [`COUNT_COLUMNS = ${literal(counts)}`, `RATES = np.array(${literal(model.parameters.rates)})  # K × count columns, Poisson rates λ`] : []),
    ...(categories.length > 0
      ? [
          `CATEGORICAL_COLUMNS = ${literal(categories.map((c) => c.column))}`,
          `CATEGORIES = ${literal(categories.map((c) => c.levels))}  # each column's categories`,
          '# Per column, K × categories probabilities θ.',
          `PROBABILITIES = [np.array(p) for p in ${literal(categories.map((_, j) => model.parameters.probabilities!.map((cluster) => cluster[j])))}]`,
        ]
      : ['CATEGORIES = []']),
    '',
    '',
    mixed ? 'def log_likelihood_per_row(X, C, A, lines):' : 'def log_likelihood_per_row(X, A, lines):',
    '    """Each row\'s ln p(x) and its most responsible component."""',
    ...(gaussian
      ? [...(standardization ? ['    X = (X - STANDARDIZATION_MEAN) / STANDARDIZATION_SD'] : []), '    log_prob = observed_log_prob(X, WEIGHTS, MEANS, COVARIANCES)']
      : ['    log_prob = np.tile(np.log(WEIGHTS), (len(A), 1))']),
    ...(counts.length > 0
      ? [
          '    log_factorial = np.vectorize(math.lgamma)(C + 1.0).sum(axis=1, keepdims=True)',
          '    log_prob += C @ np.log(RATES).T - RATES.sum(axis=1) - log_factorial',
        ]
      : []),
    '    for j, levels in enumerate(CATEGORIES):',
    '        code = {level: c for c, level in enumerate(levels)}',
    '        log_theta = np.log(PROBABILITIES[j])',
    '        for i, row in enumerate(A):',
    '            answer = row[j]',
    '            if answer is None:',
    '                continue',
    '            if answer not in code:',
    '                sys.exit(f"line {lines[i]}: column {CATEGORICAL_COLUMNS[j]!r} has the category {answer!r}, which the model never saw (it knows {levels})")',
    '            log_prob[i] += log_theta[:, code[answer]]',
    '    return log_sum_exp(log_prob), log_prob.argmax(axis=1)',
  ];
}
