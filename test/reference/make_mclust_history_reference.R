# BIC of Old Faithful's full-covariance (VVV) Gaussian mixtures with K = 2 and 3 from R's mclust, for the run
# history's ΔBIC test (test/unit/webview/history.test.ts). mclust's BIC is 2 ln L - p ln n (higher is better), the
# negative of the panel's. Run: Rscript test/reference/make_mclust_history_reference.R
library(mclust)
x <- read.csv("test/fixtures/faithful.csv")
bic <- mclustBIC(x, G = 2:3, modelNames = "VVV")
out <- sprintf('{\n  "source": "R %s, mclust %s: mclustBIC(faithful, G = 2:3, modelNames = \\"VVV\\")",\n  "n": %d,\n  "VVV": { "2": %.6f, "3": %.6f }\n}\n',
  paste(R.version$major, R.version$minor, sep = "."), packageVersion("mclust"), nrow(x), bic["2", "VVV"], bic["3", "VVV"])
writeLines(out, "test/reference/mclust_history_faithful.json", sep = "")
