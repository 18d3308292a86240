# R's side of the model-selection bench (bench/run.mjs --only select): Mclust(X, G = 1:9) with mclust's default models
# on every column of a CSV file, timed inside R (the hierarchical start, every fit and the choice), best of N runs.
# Usage: Rscript bench/mclust_select.R FILE.csv [RUNS]; prints one JSON object.
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(mclust))
X <- as.matrix(read.csv(args[1]))
runs <- if (length(args) > 1) as.integer(args[2]) else 1L
times <- numeric(runs)
for (r in seq_len(runs)) {
  times[r] <- system.time(fit <- Mclust(X, G = 1:9, verbose = FALSE))[["elapsed"]]
}
cat(sprintf('{"implementation":"R mclust %s (Mclust)","seconds":%.6f,"runs":%s,"model":"%s","k":%d,"bic":%.10f,"logLikelihood":%.10f}\n',
  as.character(packageVersion("mclust")), min(times), paste0("[", paste(sprintf("%.6f", times), collapse = ","), "]"),
  fit$modelName, fit$G, fit$bic, fit$loglik))
