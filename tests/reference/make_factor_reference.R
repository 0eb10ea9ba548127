# Reference values for evalkit.stats.factor (KMO, Bartlett, parallel analysis, EFA, CFA),
# computed once with R and stored as a fixture. The Python tests never run R.
#
#   Rscript tests/reference/make_factor_reference.R      (from the project root)
#
# Needs Debian's r-base-core, r-cran-psych, r-cran-gparotation, r-cran-lavaan, r-cran-jsonlite.
# Reads tests/reference/data/holzinger_swineford.csv (lavaan's HolzingerSwineford1939, x1-x9)
# and tests/reference/data/bfi_ac.csv (psych's bfi, agreeableness and conscientiousness items,
# with their missing answers); writes tests/reference/data/bfi25.csv (psych's 25 bfi items)
# and tests/reference/factor_reference.json.
suppressPackageStartupMessages({library(psych); library(GPArotation); library(lavaan); library(jsonlite)})

hs <- read.csv("tests/reference/data/holzinger_swineford.csv")
bfi <- read.csv("tests/reference/data/bfi_ac.csv")
# all 25 bfi personality items (five factors), written here from psych's own copy
data(bfi, package = "psych", envir = environment(), overwrite = TRUE)
bfi25 <- get("bfi", envir = environment())[, 1:25]
write.csv(bfi25, "tests/reference/data/bfi25.csv", row.names = FALSE, na = "")
bfi <- read.csv("tests/reference/data/bfi_ac.csv")

out <- list(meta = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                        GPArotation = as.character(packageVersion("GPArotation")),
                        lavaan = as.character(packageVersion("lavaan")),
                        date = as.character(Sys.Date())))

# ---- KMO and Bartlett (psych: pairwise-complete correlations, n = rows of the data) ---------
kmo_case <- function(x) {
  k <- KMO(x)
  b <- suppressMessages(cortest.bartlett(x))
  list(items = colnames(x), overall = k$MSA, msa = unname(k$MSAi),
       bartlett = list(chisq = b$chisq, df = b$df, pvalue = b$p.value, n = nrow(x)))
}
out$kmo <- list(holzinger_swineford = kmo_case(hs), bfi_ac = kmo_case(bfi))

# ---- parallel analysis: the deterministic parts (observed eigenvalues) -----------------------
par_case <- function(x) {
  p <- suppressMessages(suppressWarnings(fa.parallel(x, fm = "minres", fa = "both", plot = FALSE,
                                                      n.iter = 20)))
  # nfact / ncomp come from random data sets: a sanity check, not an exact reference
  list(pc_values = unname(p$pc.values), fa_values = unname(p$fa.values), nfact = p$nfact, ncomp = p$ncomp)
}
set.seed(1)
out$parallel <- list(holzinger_swineford = par_case(hs), bfi_ac = par_case(bfi))

# ---- EFA (psych::fa) ---------------------------------------------------------------------------
fa_case <- function(x, nf, fm, rotate, data) {
  f <- suppressMessages(suppressWarnings(fa(x, nfactors = nf, fm = fm, rotate = rotate)))
  L <- unclass(f$loadings)
  res <- list(data = data, n_factors = nf, method = fm, rotation = rotate, items = colnames(x),
              loadings = unname(L), communality = unname(f$communality),
              uniquenesses = unname(f$uniquenesses),
              vaccounted = unname(f$Vaccounted), vaccounted_rows = rownames(f$Vaccounted),
              phi = if (is.null(f$Phi)) NULL else unname(f$Phi),
              values = unname(f$values), e_values = unname(f$e.values),
              objective = f$objective, dof = f$dof, n_obs = f$n.obs)
  if (nf > 0) {
    res$statistic <- f$STATISTIC
    res$pvalue <- f$PVAL
    res$tli <- f$TLI
    res$rmsea <- unname(f$RMSEA[1:3])
    res$null_chisq <- f$null.chisq
    res$null_dof <- f$null.dof
  }
  res
}
out$efa <- list(
  hs_minres_oblimin = fa_case(hs, 3, "minres", "oblimin", "holzinger_swineford"),
  hs_minres_varimax = fa_case(hs, 3, "minres", "varimax", "holzinger_swineford"),
  hs_ml_varimax = fa_case(hs, 3, "ml", "varimax", "holzinger_swineford"),
  hs_ml_promax = fa_case(hs, 3, "ml", "promax", "holzinger_swineford"),
  hs_ml_oblimin = fa_case(hs, 3, "ml", "oblimin", "holzinger_swineford"),
  hs_pa_none = fa_case(hs, 3, "pa", "none", "holzinger_swineford"),
  hs_minres_one = fa_case(hs, 1, "minres", "none", "holzinger_swineford"),
  bfi_minres_oblimin = fa_case(bfi, 2, "minres", "oblimin", "bfi_ac"),
  bfi_ml_varimax = fa_case(bfi, 2, "ml", "varimax", "bfi_ac"),
  bfi_pa_promax = fa_case(bfi, 2, "pa", "promax", "bfi_ac"),
  bfi25_minres_oblimin = fa_case(bfi25, 5, "minres", "oblimin", "bfi25"),
  bfi25_ml_varimax = fa_case(bfi25, 5, "ml", "varimax", "bfi25")
)

# ---- CFA (lavaan::cfa, ML, std.lv = FALSE, listwise deletion) -------------------------------
cfa_case <- function(x, model, data) {
  fit <- cfa(model, data = x)
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                           "rmsea.ci.upper", "srmr", "baseline.chisq", "baseline.df", "logl",
                           "npar", "ntotal"))
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  list(data = data, model = model, n = lavInspect(fit, "ntotal"),
       fit = as.list(setNames(unname(fm), gsub(".", "_", names(fm), fixed = TRUE))),
       params = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                     z = pe$z, pvalue = pe$pvalue),
       std = list(lhs = ss$lhs, op = ss$op, rhs = ss$rhs, est_std = ss$est.std, se = ss$se,
                  z = ss$z, pvalue = ss$pvalue))
}
out$cfa <- list(
  holzinger_swineford = cfa_case(hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
                                 "holzinger_swineford"),
  bfi_ac = cfa_case(bfi, "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5", "bfi_ac"),
  hs_one_factor = cfa_case(hs[, c("x1", "x2", "x3", "x4")], "g =~ x1 + x2 + x3 + x4", "holzinger_swineford"),
  # a user-specified residual covariance (listed before the automatic variances)
  hs_residual_cov = cfa_case(hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx7 ~~ x8",
                             "holzinger_swineford"),
  # badly misspecified models: slow for Fisher scoring, the second one improper
  hs_g_factor = cfa_case(hs, "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9", "holzinger_swineford"),
  hs_wrong_items = cfa_case(hs, "a =~ x1 + x4 + x7\nb =~ x2 + x5 + x8\nc =~ x3 + x6 + x9", "holzinger_swineford"),
  bfi25_five_factor = cfa_case(bfi25, paste0(c("A", "C", "E", "N", "O"), " =~ ",
                                             sapply(c("A", "C", "E", "N", "O"), function(f) paste0(f, 1:5, collapse = " + ")),
                                             collapse = "\n"), "bfi25")
)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE),
           "tests/reference/factor_reference.json")
