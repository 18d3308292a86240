# Reference values for the panel's extra Gaussian views, from R's mclust (Debian r-cran-mclust 6.0):
# MclustDR's directions and eigenvalues (Scrucca 2010) and each row's classification uncertainty 1 - max_k z_ik,
# both from the parameters of an Mclust fit, which the JSON stores so the tests feed the same parameters in.
#
# Run from the repository root:  Rscript test/reference/make_mclust_dr_reference.R
# Writes test/reference/mclust_dr.json.

suppressPackageStartupMessages(library(mclust))

num <- function(x) formatC(x, digits = 17, format = "g")
vec <- function(x) paste0("[", paste(vapply(as.numeric(x), num, ""), collapse = ","), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, vec), collapse = ","), "]")

irisX <- as.matrix(read.csv("test/fixtures/iris.csv")[, 1:4])
faithfulX <- as.matrix(read.csv("test/fixtures/faithful.csv")[, c("eruptions", "waiting")])

cases <- list(
  list(name = "iris VVV K=3", file = "iris.csv", x = irisX, G = 3, model = "VVV", lambda = 1),
  list(name = "iris VVV K=3, lambda 0.5", file = "iris.csv", x = irisX, G = 3, model = "VVV", lambda = 0.5),
  list(name = "iris VEV K=2", file = "iris.csv", x = irisX, G = 2, model = "VEV", lambda = 1),
  list(name = "faithful EEE K=3", file = "faithful.csv", x = faithfulX, G = 3, model = "EEE", lambda = 1)
)

out <- character(0)
for (case in cases) {
  x <- case$x
  fit <- Mclust(x, G = case$G, modelName = case$model, verbose = FALSE)
  dr <- MclustDR(fit, lambda = case$lambda)
  p <- ncol(x)
  K <- fit$G
  sigma <- fit$parameters$variance$sigma
  covs <- paste0("[", paste(vapply(seq_len(K), function(k) mat(sigma[, , k]), ""), collapse = ","), "]")
  # Uncertainty from the stored parameters exactly (one E-step), as the engine computes it.
  z <- estep(data = x, modelName = fit$modelName, parameters = fit$parameters)$z
  uncertainty <- 1 - apply(z, 1, max)
  fields <- c(
    sprintf('"name":"%s"', case$name),
    sprintf('"file":"%s"', case$file),
    sprintf('"columns":%s', paste0("[", paste0('"', colnames(x), '"', collapse = ","), "]")),
    sprintf('"k":%d', K),
    sprintf('"model":"%s"', fit$modelName),
    sprintf('"lambda":%s', num(case$lambda)),
    sprintf('"weights":%s', vec(fit$parameters$pro)),
    sprintf('"means":%s', mat(t(fit$parameters$mean))),
    sprintf('"covariances":%s', covs),
    sprintf('"numdir":%d', dr$numdir),
    sprintf('"evalues":%s', vec(dr$evalues)),
    # basis: p x numdir in R; stored as numdir rows of p (unit length, R's signs).
    sprintf('"basis":%s', mat(t(dr$basis))),
    sprintf('"uncertainty":%s', vec(uncertainty))
  )
  out <- c(out, paste0("{", paste(fields, collapse = ","), "}"))
}
writeLines(paste0("{\"mclust\":\"", packageVersion("mclust"), "\",\"cases\":[\n", paste(out, collapse = ",\n"), "\n]}"), "test/reference/mclust_dr.json")
