# Reference values for edge cases of mclust's hierarchical clustering as Mclust() starts EM (hc(data, "VVV",
# use = "SVD"), mclust 6's default options): a small data set whose duplicated rows (a pair, a triple and a
# second pair) make exactly tied merge criteria, so the tree follows mclust's tie-breaking; and hclass() for every
# K from 1 to n (K = n is the partition into singletons).
# Writes test/reference/mclust_hc_edge.json. Run from the repository root:
#   Rscript test/reference/make_mclust_hc_edge_reference.R
suppressPackageStartupMessages(library(mclust))

X <- rbind(
  c(1, 2), c(1, 2), c(3, 1), c(4, 4), c(3, 1), c(0, 5), c(4, 4.5),
  c(1, 2), c(2, 2), c(5, 0), c(0, 5), c(2.5, 3), c(6, 1), c(3.5, 2.5))
tree <- hc(X, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse"))
merges <- t(matrix(as.integer(tree), nrow = 2))
classes <- hclass(tree, 1:nrow(X))

to_json_matrix <- function(m) {
  rows <- apply(m, 1, function(r) paste0("[", paste(r, collapse = ","), "]"))
  paste0("[", paste(rows, collapse = ",\n  "), "]")
}
json <- paste0(
  "{\n",
  "\"dataset\": \"duplicates\",\n",
  "\"n\": ", nrow(X), ", \"d\": ", ncol(X), ",\n",
  "\"modelName\": \"", attr(tree, "modelName"), "\",\n",
  "\"use\": \"", attr(tree, "use"), "\",\n",
  "\"mclustVersion\": \"", as.character(packageVersion("mclust")), "\",\n",
  "\"data\": ", to_json_matrix(X), ",\n",
  "\"merges\": ", to_json_matrix(merges), ",\n",
  "\"classification\": ", to_json_matrix(t(classes)), "\n",
  "}\n")
writeLines(json, "test/reference/mclust_hc_edge.json")
