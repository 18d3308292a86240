# Reference values for Mixscope's mclust covariance models, from R's mclust (Debian r-cran-mclust 6.0).
#
# For each data set, K and model: `me(modelName, data, z)` from the same starting responsibilities (the hard
# partition `unmap(hclass(hc(data), K))`, stored in the JSON as 1-based classes). mclust's `me` reports only the final
# log-likelihood, so the per-iteration trace is the final log-likelihood of `me` stopped after 1, 2, ... iterations
# (`emControl(itmax = c(i, Inf))`); EM is deterministic, so these are the iterations of the full run.
#
# Run from the repository root:  Rscript test/reference/make_mclust_reference.R
# Writes test/reference/mclust_models.json (about 0.5 MB).

suppressPackageStartupMessages(library(mclust))

faithfulCsv <- read.csv("test/fixtures/faithful.csv")
datasets <- list(
  faithful = as.matrix(faithfulCsv[, c("eruptions", "waiting")]),
  diabetes = as.matrix(mclust::diabetes[, c("glucose", "insulin", "sspg")]),
  iris = as.matrix(iris[, 1:4]),
  banknote = as.matrix(mclust::banknote[, -1]),
  waiting = as.matrix(faithfulCsv[, "waiting", drop = FALSE])
)
multiModels <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")
oneModels <- c("E", "V")
maxTrace <- 2000

num <- function(x) formatC(x, digits = 17, format = "g")
vec <- function(x) paste0("[", paste(vapply(as.numeric(x), function(v) if (is.na(v)) "null" else num(v), ""), collapse = ","), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, vec), collapse = ","), "]")

# Covariance matrices as K arrays of d x d (row-major nested lists); variances for one column.
covariances <- function(fit, d, K) {
  v <- fit$parameters$variance
  if (d == 1) {
    s <- rep_len(v$sigmasq, K)
    return(paste0("[", paste(vapply(s, function(x) paste0("[[", num(x), "]]"), ""), collapse = ","), "]"))
  }
  paste0("[", paste(vapply(seq_len(K), function(k) mat(v$sigma[, , k, drop = TRUE]), ""), collapse = ","), "]")
}

runMe <- function(model, data, z, itmax) {
  suppressWarnings(me(modelName = model, data = data, z = z,
                      control = emControl(itmax = c(itmax, .Machine$integer.max))))
}

cases <- character(0)
for (dataName in names(datasets)) {
  data <- datasets[[dataName]]
  n <- nrow(data)
  d <- ncol(data)
  models <- if (d == 1) oneModels else multiModels
  for (K in c(1, 2, 3)) {
    classes <- if (d == 1) hclass(hc(data, modelName = "E"), K) else hclass(hc(data), K)
    classes <- as.integer(classes)
    z <- unmap(classes)
    for (model in models) {
      full <- suppressWarnings(me(modelName = model, data = data, z = z))
      info <- attr(full, "info")
      ok <- !is.null(full$loglik) && is.finite(full$loglik)
      nParams <- nMclustParams(model, d = d, G = K)
      fields <- c(
        sprintf('"data":"%s"', dataName), sprintf('"k":%d', K), sprintf('"model":"%s"', model),
        sprintf('"nParams":%d', nParams), sprintf('"returnCode":%d', as.integer(attr(full, "returnCode")))
      )
      if (ok) {
        iterations <- as.integer(info[[1]])
        nTrace <- min(abs(iterations), maxTrace)
        trace <- vapply(seq_len(nTrace), function(i) runMe(model, data, z, i)$loglik, 0)
        fields <- c(fields,
          sprintf('"iterations":%d', abs(iterations)),
          sprintf('"trace":%s', vec(trace)),
          sprintf('"logLikelihood":%s', num(full$loglik)),
          sprintf('"bic":%s', num(bic(model, full$loglik, n, d, K))),
          sprintf('"icl":%s', num(mclust:::icl.Mclust(list(n = n, z = full$z, bic = bic(model, full$loglik, n, d, K))))),
          sprintf('"weights":%s', vec(full$parameters$pro)),
          sprintf('"means":%s', if (d == 1) paste0("[", paste(vapply(full$parameters$mean, function(m) paste0("[", num(m), "]"), ""), collapse = ","), "]") else mat(t(full$parameters$mean))),
          sprintf('"covariances":%s', covariances(full, d, K))
        )
      }
      cases <- c(cases, paste0("{", paste(fields, collapse = ","), "}"))
      cat(dataName, K, model, if (ok) full$loglik else "singular", "\n")
    }
    assign(paste0("classes_", dataName, "_", K), classes)
  }
}

starts <- character(0)
for (dataName in names(datasets)) for (K in c(1, 2, 3)) {
  starts <- c(starts, sprintf('"%s/%d":%s', dataName, K, vec(get(paste0("classes_", dataName, "_", K)))))
}
dataJson <- vapply(names(datasets), function(nm) sprintf('"%s":{"n":%d,"d":%d,"values":%s}', nm,
  nrow(datasets[[nm]]), ncol(datasets[[nm]]), vec(t(datasets[[nm]]))), "")

# nMclustParams over models, dimensions and K, for the exact parameter counts.
paramTable <- character(0)
for (model in c(multiModels, oneModels)) for (d in (if (model %in% oneModels) 1 else 2:6)) for (K in 1:9) {
  paramTable <- c(paramTable, sprintf('{"model":"%s","d":%d,"k":%d,"value":%d}', model, d, K, nMclustParams(model, d, K)))
}

# A start from which mclust's fit fails (model V on `waiting` from the V hierarchy's 2 classes: NA log-likelihood).
waiting <- datasets$waiting
failingClasses <- as.integer(hclass(hc(waiting, modelName = "V"), 2))
failing <- suppressWarnings(me(modelName = "V", data = waiting, z = unmap(failingClasses)))
failingCase <- sprintf('{"data":"waiting","k":2,"model":"V","classes":%s,"returnCode":%d,"warning":"%s","logLikelihoodIsNA":%s}',
  vec(failingClasses), as.integer(attr(failing, "returnCode")), attr(failing, "WARNING"),
  if (is.na(failing$loglik)) "true" else "false")

json <- paste0(
  '{"generator":"test/reference/make_mclust_reference.R","mclust":"', as.character(packageVersion("mclust")),
  '","control":{"tol":', vec(emControl()$tol), ',"eps":', num(emControl()$eps), '},',
  '"data":{', paste(dataJson, collapse = ","), '},',
  '"starts":{', paste(starts, collapse = ","), '},',
  '"nMclustParams":[', paste(paramTable, collapse = ","), '],',
  '"failing":', failingCase, ',',
  '"cases":[\n', paste(cases, collapse = ",\n"), "\n]}\n")
writeLines(json, "test/reference/mclust_models.json", sep = "")
