# Reference values for Mixscope's model-selection sweep (`mixscope select`), from R's mclust (Debian r-cran-mclust 6.0).
#
# For each data set: Mclust(X, G = 1:9) with mclust's default models and options — the full BIC table (rows G,
# columns models; NA where mclust's fit failed, with mclustBIC's return codes), the ICL table of mclustICL(X, G = 1:9),
# the chosen model and K with its log-likelihood, and the starting partition of each G that both use (1-based
# classes): hclass() of the hierarchical clustering Mclust() computes (hc(X, "VVV", use = "SVD")) for two or more
# columns, qclass() (quantile classes) for one.
#
# Run from the repository root:  Rscript test/reference/make_mclust_bic_reference.R
# Writes test/reference/mclust_bic.json.

suppressPackageStartupMessages(library(mclust))

faithfulCsv <- read.csv("test/fixtures/faithful.csv")
datasets <- list(
  faithful = as.matrix(faithfulCsv[, c("eruptions", "waiting")]),
  iris = as.matrix(iris[, 1:4]),
  diabetes = as.matrix(mclust::diabetes[, 2:4]),
  banknote = as.matrix(mclust::banknote[, 2:7]),
  waiting = as.matrix(faithfulCsv[, "waiting", drop = FALSE])
)
G <- 1:9

num <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(vapply(as.numeric(x), num, ""), collapse = ","), "]")
ivec <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
mat <- function(m, f = vec) paste0("[", paste(apply(m, 1, f), collapse = ",\n  "), "]")
str <- function(x) paste0("[", paste0('"', x, '"', collapse = ","), "]")

# The first maximum in column-major order (model by model, G within each): how pickBIC's stable sort breaks ties.
bestCell <- function(m) {
  i <- which.max(as.vector(m))
  list(k = as.integer(rownames(m)[row(m)[i]]), model = colnames(m)[col(m)[i]], value = as.vector(m)[i])
}

entries <- character(0)
for (name in names(datasets)) {
  X <- datasets[[name]]
  n <- nrow(X)
  d <- ncol(X)
  fit <- Mclust(X, G = G, verbose = FALSE)
  bic <- fit$BIC
  icl <- mclustICL(X, G = G, verbose = FALSE)
  stopifnot(identical(dimnames(unclass(bic))[[2]], dimnames(unclass(icl))[[2]]))
  models <- colnames(bic)
  bicMatrix <- matrix(as.numeric(bic), nrow = length(G), dimnames = list(G, models))
  iclMatrix <- matrix(as.numeric(icl), nrow = length(G), dimnames = list(G, models))
  codes <- attr(bic, "returnCodes")
  starts <- if (d > 1) hclass(attr(bic, "initialization")$hcPairs, G) else sapply(G, function(g) mclust:::qclass(X, g))
  bestBic <- bestCell(bicMatrix)
  bestIcl <- bestCell(iclMatrix)
  stopifnot(bestBic$model == fit$modelName, bestBic$k == fit$G)
  entries <- c(entries, paste0(
    '"', name, '":{\n',
    '"n":', n, ',"d":', d, ',"columns":', str(colnames(X)), ',\n',
    '"values":', vec(t(X)), ',\n',
    '"models":', str(models), ',\n',
    '"bic":', mat(bicMatrix), ',\n',
    '"icl":', mat(iclMatrix), ',\n',
    '"returnCodes":', mat(codes, ivec), ',\n',
    '"best":{"model":"', fit$modelName, '","k":', fit$G, ',"bic":', num(fit$bic), ',"logLikelihood":', num(fit$loglik),
    ',"parameters":', fit$df, '},\n',
    '"bestIcl":{"model":"', bestIcl$model, '","k":', bestIcl$k, ',"icl":', num(bestIcl$value), '},\n',
    '"starts":', mat(t(starts), ivec), '\n}'))
  cat(name, ": ", fit$modelName, " G = ", fit$G, ", BIC ", fit$bic, ", loglik ", fit$loglik, ", NA cells ", sum(is.na(bicMatrix)), "\n", sep = "")
}

json <- paste0(
  '{"generator":"test/reference/make_mclust_bic_reference.R","mclust":"', as.character(packageVersion("mclust")), '",',
  '"G":', ivec(G), ',"convention":"BIC = 2 ln L - p ln n (higher is better)",\n',
  paste(entries, collapse = ",\n"), "}\n")
writeLines(json, "test/reference/mclust_bic.json", sep = "")
