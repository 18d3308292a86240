// A saved Gaussian model as a self-contained R script for mclust users: it reads the data file as Mixscope read it,
// puts the fitted parameters in mclust's parameter list form (pro, mean, variance with K full matrices sigma and
// their Cholesky factors) and lets mclust's estep() compute the log-likelihood, printed as {"logLikelihood": …}
// on the last line. Every covariance model is evaluated as mclust's VVV (V on one column) from its K matrices: the
// same densities, whatever constraints produced them. With case weights or rows with missing cells, mclust's cdens()
// scores the complete rows and base R (a Cholesky factor per observed block) the others, which mclust does not
// score; the log-likelihood is then Σ_i w_i ln p(x_i).

import type { SavedModel } from '../schema';
import { emitError, formatError, missingRowsSkipped, modelTitle, npyWeightsColumn, weightsField } from './common';
import { skipNote } from './python';

/** A double in its shortest round-trip form (R reads it back to within an ulp). */
function rNumber(x: number): string {
  return String(x);
}

function rVector(xs: readonly number[]): string {
  return `c(${xs.map(rNumber).join(', ')})`;
}

function rString(s: string): string {
  return JSON.stringify(s);
}

/** The script; `dataFile` is its default input (a first command-line argument replaces it). */
export function emitR(model: SavedModel, dataFile: string): string {
  if (model.family !== 'gaussian') {
    const name = { poisson: 'Poisson', bernoulli: 'Bernoulli', categorical: 'categorical', mixed: 'mixed' }[model.family];
    throw emitError(model, 'R', `a ${name} mixture`, `Gaussian mixtures, as mclust; use --emit-python for a ${name} mixture`);
  }
  const { weights, means, covariances } = model.parameters;
  const { k, d } = model;
  const standardization = model.preprocessing.standardization;
  const scale = model.source.pixelScale;
  const univariate = d === 1;
  const skipReason = model.source.format === 'idx' ? undefined : missingRowsSkipped(model);
  // One column: a row with its cell missing has no observed cell, and is skipped.
  const keepMissing = skipReason === undefined && !univariate;
  const weighted = !!model.preprocessing.weightsColumn;
  // mclust's estep() scores every row once; rows with missing cells or weights take the row-by-row path.
  const byRow = keepMissing || weighted;
  const modelName = univariate ? 'V' : 'VVV';
  // mean: d × K (columns are components); sigma: d × d × K (column-major, as R fills arrays).
  const meanColumns = means.flat();
  const sigma: number[] = [];
  for (let c = 0; c < k; c++) for (let col = 0; col < d; col++) for (let row = 0; row < d; row++) sigma.push(covariances![c][row][col]);
  const lines = [
    `# ${modelTitle(model)}, rebuilt from its fitted parameters.`,
    '#',
    '# Reads the data file as Mixscope read it and prints the model\'s log-likelihood on it (natural log, summed over',
    `# the rows${weighted ? ', each weighted by its case weight' : ''}) as the last line: {"logLikelihood": ...}. Usage: Rscript script.R [DATA_FILE]. Needs mclust.`,
    'suppressPackageStartupMessages(library(mclust))',
    '',
    'args <- commandArgs(trailingOnly = TRUE)',
    `data_file <- if (length(args) > 0) args[1] else ${rString(dataFile)}`,
    `fitted_rows <- ${model.source.n}  # rows of ${model.source.fileName} in the fit`,
    `fitted_log_likelihood <- ${rNumber(model.fit.logLikelihood)}`,
    '',
    ...reader(model, keepMissing, skipReason),
    '',
    'data <- read_data(data_file)',
    'X <- data$X',
    ...(weighted ? ['w <- data$w  # case weights'] : []),
    `if (nrow(X) != fitted_rows) message(sprintf("note: %d rows read; the model was fitted to %d rows of %s", nrow(X), fitted_rows, ${rString(model.source.fileName)}))`,
    ...(scale !== undefined ? [`X <- X / ${rNumber(scale)}  # pixel intensities in [0, 1]`] : []),
    ...(standardization
      ? [
          '# The columns were standardised with the fitted file\'s means and (population) standard deviations.',
          `X <- sweep(sweep(X, 2, ${rVector(standardization.mean)}), 2, ${rVector(standardization.sd)}, "/")`,
        ]
      : []),
    '',
    `# ${model.covarianceModel === 'variational' ? 'The expected parameters of the variational fit' : `Covariance model ${model.covarianceModel}`}, in mclust's parameter list form.`,
    ...(univariate
      ? [
          `parameters <- list(pro = ${rVector(weights)}, mean = ${rVector(meanColumns)},`,
          `                   variance = list(modelName = "V", d = 1, G = ${k}, sigmasq = ${rVector(sigma)}))`,
        ]
      : [
          `sigma <- array(${rVector(sigma)}, dim = c(${d}, ${d}, ${k}))`,
          'cholsigma <- array(apply(sigma, 3, chol), dim = dim(sigma))',
          `parameters <- list(pro = ${rVector(weights)}, mean = matrix(${rVector(meanColumns)}, nrow = ${d}),`,
          `                   variance = list(modelName = "VVV", d = ${d}, G = ${k}, sigma = sigma, cholsigma = cholsigma))`,
        ]),
    ...(byRow ? scoreByRow(modelName, keepMissing, weighted, univariate) : [
      `e <- estep(data = ${univariate ? 'X[, 1]' : 'X'}, modelName = "${modelName}", parameters = parameters)`,
      'log_likelihood <- e$loglik',
      'assignments <- map(e$z)',
    ]),
    `message("rows per component: ", paste(tabulate(assignments, nbins = ${k}), collapse = ", "))`,
    'cat(sprintf("{\\"logLikelihood\\": %.17g}\\n", log_likelihood))',
    '',
  ];
  return lines.join('\n');
}

/**
 * Each row's log-likelihood: mclust's cdens() for the complete rows, base R for a row with missing cells (the
 * marginal density of its observed cells, from a Cholesky factor of each component's observed block); then the
 * (weighted) sum.
 */
function scoreByRow(modelName: string, keepMissing: boolean, weighted: boolean, univariate: boolean): string[] {
  return [
    '',
    ...(keepMissing
      ? [
          '# ln π_k + ln N(x_o | μ_k[o], Σ_k[o, o]) for each row\'s observed cells o: its missing cells integrated out.',
          'observed_log_prob <- function(X, pro, mean, sigma) {',
          '  log_prob <- matrix(log(pro), nrow(X), length(pro), byrow = TRUE)',
          '  observed <- !is.na(X)',
          '  pattern <- apply(observed, 1, function(o) paste(as.integer(o), collapse = ""))',
          '  for (p in unique(pattern)) {',
          '    rows <- which(pattern == p)',
          '    o <- observed[rows[1], ]',
          '    Xo <- t(X[rows, o, drop = FALSE])',
          '    for (k in seq_along(pro)) {',
          '      R <- chol(matrix(sigma[o, o, k], sum(o)))  # Σ_oo = R\'R',
          '      z <- backsolve(R, Xo - mean[o, k], transpose = TRUE)',
          '      log_prob[rows, k] <- log_prob[rows, k] - 0.5 * (sum(o) * log(2 * pi) + 2 * sum(log(diag(R))) + colSums(z * z))',
          '    }',
          '  }',
          '  log_prob',
          '}',
          '',
          '# mclust scores the complete rows; the others (mclust takes no NA) in base R.',
          'complete <- complete.cases(X)',
        ]
      : []),
    `log_prob <- matrix(0, nrow(X), ${'length(parameters$pro)'})`,
    ...(keepMissing
      ? [
          `if (any(complete)) log_prob[complete, ] <- sweep(cdens(data = X[complete, , drop = FALSE], modelName = "${modelName}", parameters = parameters, logarithm = TRUE), 2, log(parameters$pro), "+")`,
          'if (!all(complete)) log_prob[!complete, ] <- observed_log_prob(X[!complete, , drop = FALSE], parameters$pro, parameters$mean, sigma)',
        ]
      : [`log_prob[] <- sweep(cdens(data = ${univariate ? 'X[, 1]' : 'X'}, modelName = "${modelName}", parameters = parameters, logarithm = TRUE), 2, log(parameters$pro), "+")`]),
    'row_log_likelihood <- apply(log_prob, 1, function(l) max(l) + log(sum(exp(l - max(l)))))',
    ...(weighted
      ? ['# Case weights: Σ_i w_i ln p(x_i); a row of weight 0 adds nothing.', 'log_likelihood <- sum(w[w != 0] * row_log_likelihood[w != 0])']
      : ['log_likelihood <- sum(row_log_likelihood)']),
    ...(keepMissing ? ['if (!all(complete)) message(sprintf("note: %d rows with missing cells, scored on their observed cells", sum(!complete)))'] : []),
    'assignments <- max.col(log_prob, ties.method = "first")',
  ];
}

/** Reads the rows the fit read: a list of X (NA: a missing cell, with keepMissing) and w, the case weights. */
function reader(model: SavedModel, keepMissing: boolean, skipReason: string | undefined): string[] {
  const source = model.source;
  const note = !keepMissing && skipReason !== undefined;
  const noteLine = note ? [`  if (incomplete > 0) message(sprintf("note: %d %s", incomplete, ${rString(skipNote(skipReason!))}))`] : [];
  if (source.format === 'npy') {
    const weightsColumn = npyWeightsColumn(model);
    return [
      `# A NumPy .npy array of floats (C order): the header, then the values; rows with infinite values${keepMissing ? ' or no finite value skipped (NaN: a missing cell)' : ' or NaN skipped'}.`,
      'read_data <- function(path) {',
      '  con <- gzfile(path, "rb"); on.exit(close(con))',
      '  magic <- readBin(con, "raw", 8)',
      '  if (!identical(magic[1:6], as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)))) stop(path, ": not a .npy file")',
      '  header_length <- if (as.integer(magic[7]) == 1) readBin(con, "integer", 1, size = 2, signed = FALSE, endian = "little") else readBin(con, "integer", 1, size = 4, endian = "little")',
      '  header <- rawToChar(readBin(con, "raw", header_length))',
      '  descr <- sub(".*\'descr\': *\'([^\']+)\'.*", "\\\\1", header)',
      '  shape <- as.integer(strsplit(gsub("[^0-9,]", "", sub(".*\'shape\': *\\\\(([^)]*)\\\\).*", "\\\\1", header)), ",")[[1]])',
      '  if (!descr %in% c("<f8", ">f8", "<f4", ">f4")) stop(path, ": expected float32 or float64 values, found ", descr)',
      '  values <- readBin(con, "double", prod(shape), size = as.integer(substr(descr, 3, 3)), endian = if (substr(descr, 1, 1) == "<") "little" else "big")',
      '  X <- matrix(values, nrow = shape[1], byrow = TRUE)',
      ...(weightsColumn !== undefined
        ? [
            `  # Column x${weightsColumn + 1} holds the case weights: numbers >= 0 on every row.`,
            `  w <- X[, ${weightsColumn + 1}]`,
            '  bad <- which(is.na(w) | !is.finite(w) | w < 0)',
            `  if (length(bad) > 0) stop(sprintf("%s: row %d: the weight in column x${weightsColumn + 1} is %s; case weights must be numbers >= 0 (0 leaves the row out)", path, bad[1], w[bad[1]]), call. = FALSE)`,
            `  X <- X[, -${weightsColumn + 1}, drop = FALSE]`,
          ]
        : ['  w <- NULL']),
      ...(keepMissing
        ? ['  keep <- apply(is.finite(X) | is.nan(X), 1, all) & apply(is.finite(X), 1, any)']
        : [
            '  keep <- apply(is.finite(X), 1, all)',
            ...(note ? ['  incomplete <- sum(apply(is.nan(X), 1, any) & !apply(is.infinite(X), 1, any) & !apply(is.nan(X), 1, all))', ...noteLine] : []),
          ]),
      '  list(X = X[keep, , drop = FALSE], w = w[keep])',
      '}',
    ];
  }
  if (source.format !== 'delimited-text' || !source.text) {
    throw source.format === 'delimited-text' ? emitError(model, 'R', 'a text file whose layout the model does not record', 'delimited text and .npy files') : formatError(model, 'R', 'delimited text and .npy files');
  }
  const text = source.text;
  const weightField = weightsField(model, 'R');
  const weighted = weightField !== undefined;
  return [
    '# Mixscope\'s delimited-text rules for this file: the same rows kept, the same fields read.',
    `delimiter <- ${rString(text.delimiter)}  # " " stands for runs of spaces and tabs`,
    `decimal_comma <- ${text.decimalComma ? 'TRUE' : 'FALSE'}`,
    `table_start <- ${text.tableStart + 1}  # line of the table's first row`,
    `n_fields <- ${text.fields}  # fields per row; rows with another count are skipped`,
    `trailing_delimiter <- ${text.trailingDelimiter ? 'TRUE' : 'FALSE'}`,
    `column_fields <- ${rVector(text.columnFields.map((f) => f + 1))}  # ${model.columns.map((c) => JSON.stringify(c)).join(', ')}`,
    `label_field <- ${text.labelField !== undefined ? text.labelField + 1 : 'NA'}  # ${text.labelColumn ? `column ${JSON.stringify(text.labelColumn)}: rows without ${text.labelText ? 'a label' : 'an integer label'} are skipped` : 'no label column'}`,
    `label_text <- ${text.labelText ? 'TRUE' : 'FALSE'}  # text labels (any non-missing cell) rather than integers`,
    ...(weighted
      ? [
          `weights_column <- ${rString(model.preprocessing.weightsColumn!)}`,
          `weights_field <- ${weightField + 1}  # case weights (not a feature): a number >= 0 on every row of n_fields fields`,
        ]
      : []),
    `keep_missing <- ${keepMissing ? 'TRUE' : 'FALSE'}  # ${keepMissing ? 'missing cells are read as NA and integrated out' : skipReason ? `rows with a missing cell are skipped: ${skipReason}` : 'a row whose one cell is missing is skipped'}`,
    'missing_tokens <- c("", "na", "n/a", "nan", "-nan", "null", "none", "?", "#n/a")',
    '',
    '# The value of each cell, NA when it is missing, text or not finite.',
    'cell_values <- function(cells) {',
    '  s <- trimws(cells)',
    '  if (decimal_comma) {',
    '    comma <- grepl(",", s, fixed = TRUE)',
    '    bad <- comma & (grepl(".", s, fixed = TRUE) | !grepl(",[0-9]", s))',
    '    s[bad] <- "x"',
    '    s <- sub(",", ".", s, fixed = TRUE)',
    '  }',
    '  ok <- grepl("^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$", s)',
    '  v <- rep(NA_real_, length(s))',
    '  v[ok] <- as.numeric(s[ok])',
    '  v[!is.finite(v)] <- NA_real_',
    '  v',
    '}',
    '',
    '# Empty, or a missing-value token (NA, NaN, null, ?, …).',
    'is_missing <- function(cells) tolower(gsub("^\\x22|\\x22$", "", trimws(cells))) %in% missing_tokens',
    '',
    'split_line <- function(line) {',
    '  if (grepl("\\"", line, fixed = TRUE)) {',
    '    if (delimiter == " ") return(scan(text = gsub("\\t", " ", trimws(line)), what = "", quiet = TRUE))',
    '    return(scan(text = line, what = "", sep = delimiter, quote = "\\"", quiet = TRUE, na.strings = character(0), strip.white = FALSE))',
    '  }',
    '  if (delimiter == " ") return(strsplit(trimws(line, whitespace = "[ \\t]"), "[ \\t]+")[[1]])',
    '  strsplit(paste0(line, delimiter), delimiter, fixed = TRUE)[[1]]  # the extra delimiter keeps a last empty field',
    '}',
    '',
    'read_data <- function(path) {',
    '  con <- gzfile(path, "rb")  # reads plain and gzip-compressed files',
    '  lines <- readLines(con, warn = FALSE, encoding = "UTF-8")',
    '  close(con)',
    '  if (length(lines) > 0) lines[1] <- sub("^\\ufeff", "", lines[1])',
    '  rows <- list()',
    ...(weighted ? ['  w <- numeric(0)'] : []),
    ...(note ? ['  incomplete <- 0  # rows skipped for their missing cells'] : []),
    '  i <- table_start',
    '  while (i <= length(lines)) {',
    '    line <- lines[i]',
    '    line_number <- i',
    '    i <- i + 1',
    '    if (grepl("^[[:space:][:cntrl:]]*$", line) || grepl("^[[:space:][:cntrl:]]*[#%]", line)) next  # blank and comment lines',
    '    if (lengths(regmatches(line, gregexpr("\\"", line))) %% 2 == 1) {  # a quoted field that goes on over the next lines',
    '      for (j in seq(i, length.out = max(0, min(100, length(lines) - i + 1)))) {',
    '        if (lengths(regmatches(lines[j], gregexpr("\\"", lines[j]))) %% 2 == 1) {',
    '          line <- paste(lines[(i - 1):j], collapse = "\\n")',
    '          i <- j + 1',
    '          break',
    '        }',
    '      }',
    '    }',
    '    fields <- split_line(line)',
    '    if (trailing_delimiter && length(fields) == n_fields + 1 && trimws(fields[length(fields)]) == "") fields <- fields[-length(fields)]',
    '    if (length(fields) != n_fields) next',
    ...(weighted
      ? [
          '    weight <- cell_values(fields[weights_field])',
          '    if (is.na(weight) || weight < 0) stop(sprintf("line %d: the weight in column \\"%s\\" is \\"%s\\"; case weights must be numbers >= 0 (0 leaves the row out)", line_number, weights_column, trimws(fields[weights_field])), call. = FALSE)',
        ]
      : []),
    '    values <- cell_values(fields[column_fields])',
    '    if (anyNA(values)) {',
    ...(keepMissing
      ? [
          '      missing <- is_missing(fields[column_fields])',
          '      if (any(is.na(values) & !missing)) next  # text, or a number that is not finite',
          '      if (all(missing)) next  # no observed cell',
        ]
      : [...(note ? ['      if (any(is_missing(fields[column_fields]))) incomplete <- incomplete + 1'] : []), '      next']),
    '    }',
    '    if (!is.na(label_field)) {',
    '      if (label_text) {',
    '        if (is_missing(fields[label_field])) next',
    '      } else {',
    '        label <- cell_values(fields[label_field])',
    '        if (is.na(label) || label != round(label)) next',
    '      }',
    '    }',
    '    rows[[length(rows) + 1]] <- values',
    ...(weighted ? ['    w <- c(w, weight)'] : []),
    '  }',
    ...noteLine,
    `  list(X = matrix(unlist(rows), ncol = length(column_fields), byrow = TRUE), w = ${weighted ? 'w' : 'NULL'})`,
    '}',
  ];
}
