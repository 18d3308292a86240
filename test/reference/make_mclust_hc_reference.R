# Reference values for mclust's model-based agglomerative hierarchical clustering,
# as Mclust() uses it to start EM: hc(data, modelName = mclust.options("hcModelName") = "VVV",
# use = mclust.options("hcUse") = "SVD"), with mclust 6's default options.
# Writes test/reference/mclust_hc_<dataset>.json with the merge pairs of the tree
# (one [i, j] per merge, 1-based as mclust reports them) and hclass(tree, 1:9).
# Run from the repository root: Rscript test/reference/make_mclust_hc_reference.R
suppressPackageStartupMessages(library(mclust))

faithful_csv <- read.csv("test/fixtures/faithful.csv")
faithful_numeric <- faithful_csv[, sapply(faithful_csv, is.numeric), drop = FALSE]
faithful_numeric <- faithful_numeric[, c("eruptions", "waiting")]
data(diabetes, package = "mclust")

datasets <- list(
  faithful = as.matrix(faithful_numeric),
  iris = as.matrix(datasets::iris[, 1:4]),
  diabetes = as.matrix(diabetes[, c("glucose", "insulin", "sspg")])
)

to_json_matrix <- function(m) {
  rows <- apply(m, 1, function(r) paste0("[", paste(r, collapse = ","), "]"))
  paste0("[", paste(rows, collapse = ",\n  "), "]")
}

for (name in names(datasets)) {
  X <- datasets[[name]]
  # As Mclust() calls it (hc()'s own default is use = "VARS"; Mclust passes "SVD").
  tree <- hc(X, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse"))
  merges <- t(matrix(as.integer(tree), nrow = 2))
  classes <- hclass(tree, 1:9)
  json <- paste0(
    "{\n",
    "\"dataset\": \"", name, "\",\n",
    "\"n\": ", nrow(X), ", \"d\": ", ncol(X), ",\n",
    "\"modelName\": \"", attr(tree, "modelName"), "\",\n",
    "\"use\": \"", attr(tree, "use"), "\",\n",
    "\"mclustVersion\": \"", as.character(packageVersion("mclust")), "\",\n",
    "\"data\": ", to_json_matrix(signif(X, 17)), ",\n",
    "\"merges\": ", to_json_matrix(merges), ",\n",
    "\"classification\": ", to_json_matrix(t(classes)), "\n",
    "}\n")
  writeLines(json, file.path("test/reference", paste0("mclust_hc_", name, ".json")))
}
