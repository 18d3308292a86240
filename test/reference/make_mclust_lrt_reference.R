# Reference values for Mixscope's bootstrap likelihood-ratio test for the number of components (`mixscope lrt`),
# from R's mclust (Debian r-cran-mclust 6.0): mclustBootstrapLRT(X, modelName, nboot = 99) after set.seed(0).
#
# For each case: the observed statistics LRTS = 2 (ℓ_{G+1} − ℓ_G) of the tests R ran (`obs`; deterministic: the fits
# start from Mclust()'s hierarchical clustering), their bootstrap p-values and the largest bootstrap statistic of each
# test (random: they depend on R's draws), and the G at which R stopped (the first test with a p-value above 0.05).
# `all` reruns with maxG = 3, which makes R run every test from 1 vs 2 to 3 vs 4 without stopping, for `obs` alone.
#
# Run from the repository root:  Rscript test/reference/make_mclust_lrt_reference.R
# Writes test/reference/mclust_lrt.json.

suppressPackageStartupMessages(library(mclust))

faithfulCsv <- read.csv("test/fixtures/faithful.csv")
faithful <- as.matrix(faithfulCsv[, c("eruptions", "waiting")])
waiting <- as.matrix(faithfulCsv[, "waiting", drop = FALSE])
cases <- list(
  list(name = "faithful_EEE", data = "faithful", X = faithful, model = "EEE"),
  list(name = "faithful_VVV", data = "faithful", X = faithful, model = "VVV"),
  list(name = "waiting_V", data = "waiting", X = waiting, model = "V")
)
nboot <- 99
level <- 0.05

num <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(vapply(as.numeric(x), num, ""), collapse = ","), "]")

entries <- character(0)
for (case in cases) {
  set.seed(0)
  r <- mclustBootstrapLRT(case$X, modelName = case$model, nboot = nboot, level = level, verbose = FALSE)
  stopifnot(all(!is.na(r$boot)))
  # R stops at the first G with a p-value above the level; if none did, it reached G = 8 vs 9.
  stoppedAt <- if (any(r$p.value > level)) which(r$p.value > level)[1] else 9
  set.seed(0)
  all <- mclustBootstrapLRT(case$X, modelName = case$model, nboot = nboot, maxG = 3, verbose = FALSE)
  entries <- c(entries, paste0(
    '"', case$name, '":{"data":"', case$data, '","model":"', case$model, '","nboot":', nboot, ',"level":', level, ',\n',
    '"G":', vec(r$G), ',\n',
    '"obs":', vec(r$obs), ',\n',
    '"pValue":', vec(r$p.value), ',\n',
    '"bootMax":', vec(apply(r$boot, 2, max)), ',\n',
    '"chosenG":', stoppedAt, ',\n',
    '"all":{"G":', vec(all$G), ',"obs":', vec(all$obs), '}}'
  ))
}
writeLines(paste0("{\n", paste(entries, collapse = ",\n"), "\n}"), "test/reference/mclust_lrt.json")
