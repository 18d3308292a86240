// A saved model as a self-contained Python script: it reads the data file as Mixscope read it (the same rows and
// columns, the same standardisation or binarisation), rebuilds the fitted mixture from its parameters (a
// scikit-learn GaussianMixture, or numpy for the Bernoulli, Poisson, categorical and mixed families) and prints
// {"logLikelihood": …} as its last line.
// No CLI concerns here: the CLI prints it, the panel can copy it.

import type { SavedModel } from '../schema';
import { emitError, formatError, literal, modelTitle, refuseUnreproducible } from './common';

/** The script; `dataFile` is its default input (a first command-line argument replaces it). */
export function emitPython(model: SavedModel, dataFile: string): string {
  refuseUnreproducible(model, 'Python');
  const source = model.source;
  const images = model.family === 'bernoulli' || source.pixelScale !== undefined;
  const categorical = model.family === 'categorical' || model.family === 'mixed';
  const mixed = model.family === 'mixed';
  if (mixed && model.source.format !== 'delimited-text') throw formatError(model, 'Python', 'delimited text files (a mixed model\'s reader)');
  const reader = readerFor(model, images);
  const lines = [
    '#!/usr/bin/env python3',
    `"""${modelTitle(model)}, rebuilt from its fitted parameters.`,
    '',
    'Reads the data file as Mixscope read it and prints the model\'s log-likelihood on it (natural log, summed over the',
    `rows) as the last line: {"logLikelihood": ...}. Usage: python3 script.py [DATA_FILE]. Needs numpy${model.family === 'gaussian' ? ' and scikit-learn' : ''}.`,
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
    ...(model.family === 'gaussian'
      ? gaussianModel(model)
      : model.family === 'poisson'
        ? poissonModel(model)
        : categorical
          ? categoricalModel(model)
          : bernoulliModel(model)),
    '',
    '',
    'if __name__ == "__main__":',
    ...(mixed ? ['    X, C, A, LINES = read_data(DATA_FILE)'] : categorical ? ['    X, A, LINES = read_data(DATA_FILE)'] : ['    X = read_data(DATA_FILE)']),
    '    if X.shape[0] != FITTED_ROWS:',
    `        print(f"note: {X.shape[0]} rows read; the model was fitted to {FITTED_ROWS} rows of ${model.source.fileName}", file=sys.stderr)`,
    `    log_likelihood, assignments = log_likelihood_and_assignments(${mixed ? 'X, C, A, LINES' : categorical ? 'X, A, LINES' : 'X'})`,
    '    print("rows per component:", np.bincount(assignments, minlength=len(WEIGHTS)).tolist(), file=sys.stderr)',
    '    print(json.dumps({"logLikelihood": log_likelihood}))',
    '',
  ];
  return lines.join('\n');
}

/**
 * A Gaussian model fitted with missing "marginalize": Mixscope keeps a row with missing cells (predict scores it on
 * its observed cells), the script skips it, so it says how many.
 */
export function skipsRowsMixscopeKeeps(model: SavedModel, images: boolean): boolean {
  return (model.family === 'gaussian' || model.family === 'mixed') && !images && (model.settings?.missing ?? 'marginalize') === 'marginalize';
}

const MISSING_NOTE = 'rows with missing cells skipped; Mixscope keeps them and scores them on their observed cells (mixscope predict)';

function readerFor(model: SavedModel, images: boolean): string[] {
  const source = model.source;
  const note = skipsRowsMixscopeKeeps(model, images);
  switch (source.format) {
    case 'delimited-text':
      return textReader(model, images, note);
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
        '    return pixels.reshape(shape[0], -1).astype(np.float64)',
      ];
    case 'npy':
      return [
        'def read_data(path):',
        '    """A NumPy .npy array: images (3-D) flattened to one row each; rows with NaN or infinite values skipped."""',
        '    import io',
        '    X = np.load(io.BytesIO(read_bytes(path)), allow_pickle=False)',
        '    X = X.reshape(X.shape[0], -1).astype(np.float64)',
        ...(note
          ? [
              '    incomplete = int((np.isnan(X).any(axis=1) & ~np.isinf(X).any(axis=1) & ~np.isnan(X).all(axis=1)).sum())',
              '    if incomplete:',
              `        print(f"note: {incomplete} ${MISSING_NOTE}", file=sys.stderr)`,
            ]
          : []),
        ...(images ? [] : ['    X = X[np.isfinite(X).all(axis=1)]']),
        '    return X',
      ];
    default:
      throw formatError(model, 'Python');
  }
}

/** Mixscope's delimited-text rules for this file's layout: the same rows kept, the same fields read. */
function textReader(model: SavedModel, images: boolean, note: boolean): string[] {
  const text = model.source.text;
  if (!text) throw emitError(model, 'Python', 'a text file whose layout the model does not record');
  const fieldsList = `[${text.columnFields.join(', ')}]`;
  const categories = model.categories ?? [];
  if (categories.length > 0 && text.categoricalFields?.length !== categories.length) throw emitError(model, 'Python', 'a text file whose categorical fields the model does not record');
  // A mixed model reads its continuous columns (X), its count columns (C) and its answers (A), each possibly empty.
  const mixed = model.family === 'mixed';
  const counts = model.countColumns ?? [];
  if (counts.length > 0 && text.countFields?.length !== counts.length) throw emitError(model, 'Python', 'a text file whose count fields the model does not record');
  const answers = categories.length > 0 || mixed;
  return [
    `DELIMITER = ${literal(text.delimiter)}  # " " stands for runs of spaces and tabs`,
    `DECIMAL_COMMA = ${text.decimalComma ? 'True' : 'False'}`,
    `TABLE_START = ${text.tableStart}  # 0-based line of the table's first row`,
    `FIELDS = ${text.fields}  # fields per row; rows with another count are skipped`,
    `TRAILING_DELIMITER = ${text.trailingDelimiter ? 'True' : 'False'}`,
    `COLUMN_FIELDS = ${fieldsList}  # ${model.columns.length > 0 && !images ? model.columns.map((c) => JSON.stringify(c)).join(', ') : 'the pixel fields'}`,
    ...(answers ? [`CATEGORY_FIELDS = [${(text.categoricalFields ?? []).slice(0, categories.length).join(', ')}]  # ${categories.length > 0 ? categories.map((c) => JSON.stringify(c.column)).join(', ') : 'no categorical columns'}`] : []),
    ...(mixed ? [`COUNT_FIELDS = [${(text.countFields ?? []).join(', ')}]  # ${counts.length > 0 ? counts.map((c) => JSON.stringify(c)).join(', ') : 'no count columns'}`] : []),
    `LABEL_FIELD = ${text.labelField ?? 'None'}  # ${text.labelColumn ? `column ${JSON.stringify(text.labelColumn)}: rows without ${text.labelText ? 'a label' : 'an integer label'} are skipped` : 'no label column'}`,
    `LABEL_TEXT = ${text.labelText ? 'True' : 'False'}  # text labels (any non-missing cell) rather than integers`,
    'MISSING = {"", "na", "n/a", "nan", "-nan", "null", "none", "?", "#n/a"}',
    'NUMBER = re.compile(r"^[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?$")',
    '',
    '',
    'def number(cell):',
    '    """The value of a cell, or None when it is missing, text or not finite (the row is then skipped)."""',
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
    ...(answers
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
    ...(answers ? ['    answers = []  # per row, its categorical cells (None: missing)', '    row_lines = []  # 1-based line of each row'] : []),
    ...(mixed ? ['    count_rows = []'] : []),
    ...(note ? ['    incomplete = 0  # rows skipped for their missing cells'] : []),
    '    i = TABLE_START',
    '    while i < len(lines):',
    '        line = lines[i]',
    '        i += 1',
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
    '        values = [number(fields[f]) for f in COLUMN_FIELDS]',
    '        if any(v is None for v in values):',
    ...(note ? ['            if any(fields[f].strip().strip(\'"\').lower() in MISSING for f in COLUMN_FIELDS):', '                incomplete += 1'] : []),
    '            continue',
    ...(mixed
      ? [
          '        row_counts = [number(fields[f]) for f in COUNT_FIELDS]',
          '        if any(v is None for v in row_counts):',
          '            continue',
        ]
      : []),
    ...(answers
      ? [
          '        row_answers = [category(fields[f]) for f in CATEGORY_FIELDS]',
          ...(text.columnFields.length === 0 && counts.length === 0 ? ['        if all(a is None for a in row_answers):', '            continue  # no observed cell'] : []),
        ]
      : []),
    '        if LABEL_FIELD is not None:',
    '            if LABEL_TEXT:',
    '                if fields[LABEL_FIELD].strip().strip(\'"\').lower() in MISSING:',
    '                    continue',
    '            else:',
    '                label = number(fields[LABEL_FIELD])',
    '                if label is None or label != int(label):',
    '                    continue',
    '        rows.append(values)',
    ...(answers ? ['        answers.append(row_answers)', '        row_lines.append(i)'] : []),
    ...(mixed ? ['        count_rows.append(row_counts)'] : []),
    ...(note ? ['    if incomplete:', `        print(f"note: {incomplete} ${MISSING_NOTE}", file=sys.stderr)`] : []),
    `    X = np.array(rows, dtype=np.float64).reshape(len(rows), ${text.columnFields.length})`,
    ...(mixed ? [`    C = np.array(count_rows, dtype=np.float64).reshape(len(count_rows), ${counts.length})`] : []),
    mixed ? '    return X, C, answers, row_lines' : categories.length > 0 ? '    return X, answers, row_lines' : '    return X',
  ];
}

function gaussianModel(model: SavedModel): string[] {
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
    'def log_likelihood_and_assignments(X):',
    ...(scale !== undefined ? [`    X = X / ${literal(scale)}  # pixel intensities in [0, 1]`] : []),
    ...(standardization ? ['    X = (X - STANDARDIZATION_MEAN) / STANDARDIZATION_SD'] : []),
    `    gm = GaussianMixture(n_components=${k}, covariance_type="${sklearnType}")`,
    '    gm.weights_ = WEIGHTS',
    '    gm.means_ = MEANS',
    '    gm.covariances_ = COVARIANCES',
    `    gm.precisions_cholesky_ = ${precisionCholesky}`,
    '    return float(gm.score(X) * X.shape[0]), gm.predict(X)',
  ];
}

function bernoulliModel(model: SavedModel): string[] {
  const image = model.preprocessing.image!;
  return [
    '# A mixture of multivariate Bernoulli distributions: p(x) = Σ_k π_k Π_j μ_kj^x_j (1 − μ_kj)^(1 − x_j).',
    `WEIGHTS = np.array(${literal(model.parameters.weights)})`,
    `MEANS = np.array(${literal(model.parameters.means)})  # K × D pixel probabilities`,
    `PIXEL_SCALE = ${literal(image.pixelScale)}  # the value that means "fully on"`,
    `THRESHOLD = ${literal(image.threshold)}  # a pixel is 1 when value / PIXEL_SCALE > THRESHOLD`,
    '',
    '',
    'def log_likelihood_and_assignments(X):',
    '    B = (X / PIXEL_SCALE > THRESHOLD).astype(np.float64)',
    '    log_prob = np.log(WEIGHTS) + B @ np.log(MEANS).T + (1.0 - B) @ np.log1p(-MEANS).T',
    '    top = log_prob.max(axis=1, keepdims=True)',
    '    row_log_likelihood = top[:, 0] + np.log(np.exp(log_prob - top).sum(axis=1))',
    '    return float(row_log_likelihood.sum()), log_prob.argmax(axis=1)',
  ];
}

function poissonModel(model: SavedModel): string[] {
  return [
    '# Independent Poisson counts per column in each component: p(x) = Σ_k π_k Π_j λ_kj^x_j e^(−λ_kj) / x_j!.',
    `WEIGHTS = np.array(${literal(model.parameters.weights)})`,
    `RATES = np.array(${literal(model.parameters.means)})  # K × D rates λ`,
    '',
    '',
    'def log_likelihood_and_assignments(X):',
    '    log_factorial = np.vectorize(math.lgamma)(X + 1.0).sum(axis=1, keepdims=True)',
    '    log_prob = np.log(WEIGHTS) + X @ np.log(RATES).T - RATES.sum(axis=1) - log_factorial',
    '    top = log_prob.max(axis=1, keepdims=True)',
    '    row_log_likelihood = top[:, 0] + np.log(np.exp(log_prob - top).sum(axis=1))',
    '    return float(row_log_likelihood.sum()), log_prob.argmax(axis=1)',
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
    ...(categories.length > 0 ? ["# A missing answer drops out of its row's product (its exact marginal)."] : []),
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
    mixed ? 'def log_likelihood_and_assignments(X, C, A, lines):' : 'def log_likelihood_and_assignments(X, A, lines):',
    '    log_prob = np.tile(np.log(WEIGHTS), (len(A), 1))',
    ...(gaussian
      ? [
          ...(standardization ? ['    X = (X - STANDARDIZATION_MEAN) / STANDARDIZATION_SD'] : []),
          '    for k in range(len(WEIGHTS)):',
          '        L = np.linalg.cholesky(COVARIANCES[k])',
          '        z = np.linalg.solve(L, (X - MEANS[k]).T)',
          '        log_det = 2.0 * np.log(np.diag(L)).sum()',
          '        log_prob[:, k] += -0.5 * (X.shape[1] * math.log(2 * math.pi) + log_det + (z * z).sum(axis=0))',
        ]
      : []),
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
    '    top = log_prob.max(axis=1, keepdims=True)',
    '    row_log_likelihood = top[:, 0] + np.log(np.exp(log_prob - top).sum(axis=1))',
    '    return float(row_log_likelihood.sum()), log_prob.argmax(axis=1)',
  ];
}
