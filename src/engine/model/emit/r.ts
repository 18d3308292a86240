// A saved Gaussian model as a self-contained R script for mclust users: it reads the data file as Mixscope read it,
// puts the fitted parameters in mclust's parameter list form (pro, mean, variance with K full matrices sigma and
// their Cholesky factors) and lets mclust's estep() compute the log-likelihood, printed as {"logLikelihood": …}
// on the last line. Every covariance model is evaluated as mclust's VVV (V on one column) from its K matrices: the
// same densities, whatever constraints produced them.

import type { SavedModel } from '../schema';
import { emitError, formatError, modelTitle, refuseUnreproducible } from './common';

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
  if (model.family === 'gaussian') refuseUnreproducible(model, 'R');
  if (model.family !== 'gaussian') {
    const name = { poisson: 'Poisson', bernoulli: 'Bernoulli', categorical: 'categorical', mixed: 'mixed' }[model.family];
    throw emitError(model, 'R', `a ${name} mixture`, `Gaussian mixtures, as mclust; use --emit-python for a ${name} mixture`);
  }
  const { weights, means, covariances } = model.parameters;
  const { k, d } = model;
  const standardization = model.preprocessing.standardization;
  const scale = model.source.pixelScale;
  const univariate = d === 1;
  // mean: d × K (columns are components); sigma: d × d × K (column-major, as R fills arrays).
  const meanColumns = means.flat();
  const sigma: number[] = [];
  for (let c = 0; c < k; c++) for (let col = 0; col < d; col++) for (let row = 0; row < d; row++) sigma.push(covariances![c][row][col]);
  const lines = [
    `# ${modelTitle(model)}, rebuilt from its fitted parameters.`,
    '#',
    '# Reads the data file as Mixscope read it and prints the model\'s log-likelihood on it (natural log, summed over',
    '# the rows) as the last line: {"logLikelihood": ...}. Usage: Rscript script.R [DATA_FILE]. Needs mclust.',
    'suppressPackageStartupMessages(library(mclust))',
    '',
    'args <- commandArgs(trailingOnly = TRUE)',
    `data_file <- if (length(args) > 0) args[1] else ${rString(dataFile)}`,
    `fitted_rows <- ${model.source.n}  # rows of ${model.source.fileName} in the fit`,
    `fitted_log_likelihood <- ${rNumber(model.fit.logLikelihood)}`,
    '',
    ...reader(model),
    '',
    'X <- read_data(data_file)',
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
          'e <- estep(data = X[, 1], modelName = "V", parameters = parameters)',
        ]
      : [
          `sigma <- array(${rVector(sigma)}, dim = c(${d}, ${d}, ${k}))`,
          'cholsigma <- array(apply(sigma, 3, chol), dim = dim(sigma))',
          `parameters <- list(pro = ${rVector(weights)}, mean = matrix(${rVector(meanColumns)}, nrow = ${d}),`,
          `                   variance = list(modelName = "VVV", d = ${d}, G = ${k}, sigma = sigma, cholsigma = cholsigma))`,
          'e <- estep(data = X, modelName = "VVV", parameters = parameters)',
        ]),
    `message("rows per component: ", paste(tabulate(map(e$z), nbins = ${k}), collapse = ", "))`,
    'cat(sprintf("{\\"logLikelihood\\": %.17g}\\n", e$loglik))',
    '',
  ];
  return lines.join('\n');
}

/**
 * A Gaussian model fitted with missing "marginalize": Mixscope keeps a row with missing cells (predict scores it on
 * its observed cells), the script skips it, so it says how many.
 */
function skipsRowsMixscopeKeeps(model: SavedModel, images: boolean): boolean {
  return model.family === 'gaussian' && !images && (model.settings?.missing ?? 'marginalize') === 'marginalize';
}

const MISSING_NOTE = 'rows with missing cells skipped; Mixscope keeps them and scores them on their observed cells (mixscope predict)';

function reader(model: SavedModel): string[] {
  const source = model.source;
  const note = skipsRowsMixscopeKeeps(model, source.pixelScale !== undefined);
  if (source.format === 'npy') {
    return [
      '# A NumPy .npy array of floats (C order): the header, then the values; rows with NaN or infinite values skipped.',
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
      ...(note
        ? [
            '  incomplete <- sum(apply(is.nan(X), 1, any) & !apply(is.infinite(X), 1, any) & !apply(is.nan(X), 1, all))',
            `  if (incomplete > 0) message(sprintf("note: %d ${MISSING_NOTE}", incomplete))`,
          ]
        : []),
      '  X[apply(is.finite(X), 1, all), , drop = FALSE]',
      '}',
    ];
  }
  if (source.format !== 'delimited-text' || !source.text) {
    throw source.format === 'delimited-text' ? emitError(model, 'R', 'a text file whose layout the model does not record', 'delimited text and .npy files') : formatError(model, 'R', 'delimited text and .npy files');
  }
  const text = source.text;
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
    'missing_tokens <- c("", "na", "n/a", "nan", "-nan", "null", "none", "?", "#n/a")',
    '',
    '# The value of each cell, NA when it is missing, text or not finite (its row is then skipped).',
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
    ...(note ? ['  incomplete <- 0  # rows skipped for their missing cells'] : []),
    '  i <- table_start',
    '  while (i <= length(lines)) {',
    '    line <- lines[i]',
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
    '    values <- cell_values(fields[column_fields])',
    ...(note
      ? [
          '    if (anyNA(values)) {',
          '      if (any(tolower(gsub("^\\x22|\\x22$", "", trimws(fields[column_fields]))) %in% missing_tokens)) incomplete <- incomplete + 1',
          '      next',
          '    }',
        ]
      : ['    if (anyNA(values)) next']),
    '    if (!is.na(label_field)) {',
    '      if (label_text) {',
    '        if (tolower(gsub("^\\x22|\\x22$", "", trimws(fields[label_field]))) %in% missing_tokens) next',
    '      } else {',
    '        label <- cell_values(fields[label_field])',
    '        if (is.na(label) || label != round(label)) next',
    '      }',
    '    }',
    '    rows[[length(rows) + 1]] <- values',
    '  }',
    ...(note ? [`  if (incomplete > 0) message(sprintf("note: %d ${MISSING_NOTE}", incomplete))`] : []),
    '  matrix(unlist(rows), ncol = length(column_fields), byrow = TRUE)',
    '}',
  ];
}
