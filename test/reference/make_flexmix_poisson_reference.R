# Reference values for Mixscope's Poisson mixture family, from R's flexmix (Debian r-cran-flexmix), whose
# FLXMCmvpois() driver is the same model: per cluster, independent Poisson counts per column.
#
# Draws a seeded table of counts (300 rows, 4 columns, 3 clusters) and writes it to test/fixtures/counts.csv; fits
# flexmix from a fixed hard start (thirds of the rows ranked by their total count) with no component dropped
# (minprior = 0) and a tight tolerance; records the start, the fitted log-likelihood, weights, rates and BIC.
#
# Run from the repository root:  Rscript test/reference/make_flexmix_poisson_reference.R
# Writes test/fixtures/counts.csv and test/reference/flexmix_poisson.json.

suppressPackageStartupMessages(library(flexmix))

set.seed(20261202)
sizes <- c(120, 100, 80)
trueRates <- rbind(c(1, 6, 0.5, 3), c(4, 2, 3, 0.3), c(9, 9, 1.5, 6))
x <- do.call(rbind, lapply(1:3, function(k) sapply(1:4, function(j) rpois(sizes[k], trueRates[k, j]))))
x <- x[sample(nrow(x)), ]
colnames(x) <- c("visits", "calls", "returns", "complaints")
write.csv(x, "test/fixtures/counts.csv", row.names = FALSE, quote = FALSE)

start <- as.integer(cut(rank(rowSums(x), ties.method = "first"), 3))
fit <- flexmix(x ~ 1, k = 3, cluster = start, model = FLXMCmvpois(),
               control = list(iter.max = 5000, tolerance = 1e-13, minprior = 0))

num <- function(v) formatC(v, digits = 17, format = "g")
vec <- function(v) paste0("[", paste(num(v), collapse = ","), "]")
rates <- t(parameters(fit))  # K x columns
json <- paste0(
  '{"generator":"test/reference/make_flexmix_poisson_reference.R","flexmix":"', as.character(packageVersion("flexmix")), '",\n',
  '"file":"test/fixtures/counts.csv","k":3,\n',
  '"start":[', paste(start, collapse = ","), '],\n',
  '"logLikelihood":', num(as.numeric(logLik(fit))), ',"parameters":', attr(logLik(fit), "df"), ',\n',
  '"bicSklearnSign":', num(BIC(fit)), ',"iterations":', fit@iter, ',\n',
  '"weights":', vec(prior(fit)), ',\n',
  '"rates":[', paste(apply(rates, 1, vec), collapse = ","), ']}\n')
writeLines(json, "test/reference/flexmix_poisson.json", sep = "")
cat("logLik", as.numeric(logLik(fit)), "iterations", fit@iter, "\n")
