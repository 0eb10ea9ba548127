# Reference for evalkit's bootstrap CIs of alpha and omega (percentile and BCa), with R's boot.
#
#   Rscript tests/reference/make_bootstrap_reference.R      (from the project root)
#
# Needs Debian's r-base-core, r-cran-boot, r-cran-jsonlite.
# Writes tests/reference/data/bootstrap_likert.csv (the data), and
# tests/reference/bootstrap_reference.json: boot's resample indices (boot.array, 1-based),
# the replicates t* of alpha and omega, the jackknife influence values (empinf type "jack")
# and boot.ci's percentile and BCa intervals. The Python test gives evalkit the same
# indices, so replicates and intervals are compared one to one. R is not run at test time.
suppressPackageStartupMessages({library(boot); library(jsonlite)})
set.seed(20261201)
n <- 80; k <- 6
f <- rnorm(n)
load <- c(0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
x <- sapply(1:k, function(j) pmin(5, pmax(1, round(3 + load[j] * f + rnorm(n, sd = 0.8)))))
colnames(x) <- paste0("q", 1:k)
dir.create("tests/reference/data", showWarnings = FALSE)
write.csv(x, "tests/reference/data/bootstrap_likert.csv", row.names = FALSE)

alpha_of <- function(C) { k <- ncol(C); k / (k - 1) * (1 - sum(diag(C)) / sum(C)) }
omega_of <- function(C, nobs) {
  # one-factor ML (factanal: uniquenesses bounded below by 0.005), loadings rescaled by the SDs
  # (factr = 1e3: a tight convergence tolerance, so that replicates agree to ~1e-6)
  fa <- factanal(covmat = C, factors = 1, n.obs = nobs,
                 control = list(lower = 0.005, opt = list(factr = 1e3, pgtol = 0, maxit = 10000)))
  sd <- sqrt(diag(C)); l <- as.vector(fa$loadings) * sd; th <- fa$uniquenesses * sd^2
  sum(l)^2 / (sum(l)^2 + sum(th))
}
stat <- function(d, i) {
  C <- cov(d[i, , drop = FALSE])
  c(alpha_of(C), tryCatch(omega_of(C, length(i)), error = function(e) NA))
}
R <- 999
b <- boot(x, stat, R = R)
idx <- boot.array(b, indices = TRUE)
L1 <- empinf(b, index = 1, type = "jack")
L2 <- empinf(b, index = 2, type = "jack")
stopifnot(!anyNA(L1), !anyNA(L2), !anyNA(b$t))
ci <- function(index, L) {
  r <- boot.ci(b, conf = 0.95, type = c("perc", "bca"), index = index, L = L)
  list(percentile = unname(r$percent[1, 4:5]), bca = unname(r$bca[1, 4:5]))
}
out <- list(
  meta = list(R = R.version.string, boot = as.character(packageVersion("boot")), date = as.character(Sys.Date()),
              conf = 0.95, n = n, k = k, R_resamples = R),
  indices = unname(split(idx, row(idx))),
  t0 = list(alpha = b$t0[1], omega = b$t0[2]),
  t = list(alpha = b$t[, 1], omega = b$t[, 2]),
  jack_L = list(alpha = unname(L1), omega = unname(L2)),
  ci = list(alpha = ci(1, L1), omega = ci(2, L2))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "tests/reference/bootstrap_reference.json")
