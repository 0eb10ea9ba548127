# Reference values for evalkit's tests, computed once with R and stored as fixtures.
#
#   Rscript tests/reference/make_reference.R      (from the project root)
#
# Needs Debian's r-base-core, r-cran-psych, r-cran-lavaan, r-cran-jsonlite.
# Writes tests/reference/data/*.csv (the data sets) and tests/reference/reference.json.
# The Python tests never run R: they read these files.
suppressPackageStartupMessages({library(psych); library(lavaan); library(jsonlite)})
out <- list(meta = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                        lavaan = as.character(packageVersion("lavaan")), date = as.character(Sys.Date())))
dir.create("tests/reference/data", showWarnings = FALSE)

labels5 <- c("Sangat Tidak Setuju" = 1, "Tidak Setuju" = 2, "Ragu-ragu" = 3, "Setuju" = 4, "Sangat Setuju" = 5)

# ---- reliability ---------------------------------------------------------------------------
omega_lavaan <- function(C, n, x = NULL) {
  vars <- colnames(C)
  model <- paste("f =~", paste(vars, collapse = " + "))
  fit <- if (is.null(x)) cfa(model, sample.cov = C, sample.nobs = n, std.lv = TRUE)
         else cfa(model, data = x, std.lv = TRUE, missing = "listwise")
  pe <- parameterEstimates(fit)
  l <- pe$est[pe$op == "=~"]
  th <- pe$est[pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs %in% vars]
  sum(l)^2 / (sum(l)^2 + sum(th))
}
lambda2 <- function(C) {
  k <- ncol(C); tot <- sum(C); off <- sum(C^2) - sum(diag(C)^2)
  (1 - sum(diag(C)) / tot) + sqrt(k / (k - 1) * off) / tot
}
split_half <- function(x) {
  x <- x[complete.cases(x), ]
  a <- rowSums(x[, seq(1, ncol(x), 2), drop = FALSE]); b <- rowSums(x[, seq(2, ncol(x), 2), drop = FALSE])
  r <- cor(a, b); 2 * r / (1 + r)
}
rel_case <- function(name, x, reverse = character(0), lo = 1, hi = 5, use = "pairwise") {
  # reverse keying on the nominal scale, done here so psych sees keyed data
  for (r in reverse) x[[r]] <- lo + hi - x[[r]]
  if (use == "listwise") x <- x[complete.cases(x), ]
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  C <- cov(x, use = "pairwise")
  n_used <- nrow(x)
  res <- list(
    items = colnames(x), reverse = reverse, scale = c(lo, hi), missing = use, n = n_used,
    alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, lambda6 = a$total[["G6(smc)"]],
    average_r = a$total$average_r, median_r = a$total$median_r, ase = a$total$ase,
    feldt = c(a$feldt$lower.ci, a$feldt$upper.ci),
    lambda2 = lambda2(C), split_half = split_half(x),
    omega_total = if (use == "listwise") omega_lavaan(C, n_used, x) else omega_lavaan(C, n_used),
    item_n = unname(a$item.stats$n), raw_r = unname(a$item.stats$raw.r), r_drop = unname(a$item.stats$r.drop),
    item_mean = unname(a$item.stats$mean), item_sd = unname(a$item.stats$sd),
    alpha_if_deleted = unname(a$alpha.drop$raw_alpha),
    # omega_total of each (k-1)-item scale: lavaan refitted without the item
    omega_if_deleted = if (ncol(x) > 3) sapply(seq_len(ncol(x)), function(j)
      if (use == "listwise") omega_lavaan(C[-j, -j], n_used, x[, -j]) else omega_lavaan(C[-j, -j], n_used)) else NULL,
    response_freq = if (is.null(a$response.freq)) NULL else unname(as.matrix(a$response.freq)),
    response_freq_cols = colnames(a$response.freq))
  res
}

data(bfi, package = "psych")
bfi_ac <- bfi[, c("A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5")]
write.csv(bfi_ac, "tests/reference/data/bfi_ac.csv", row.names = FALSE, na = "")
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(hs, "tests/reference/data/holzinger_swineford.csv", row.names = FALSE)

raw <- read.csv("data/raw/pkp-2026-angkatan-1/evaluasi_penyelenggaraan.csv", check.names = FALSE,
                na.strings = "", stringsAsFactors = FALSE)
materi <- as.data.frame(lapply(raw[, 4:7], function(v) unname(labels5[v])))
colnames(materi) <- c("materi_1", "materi_2", "materi_3", "materi_4")

out$reliability <- list(
  bfi_agreeableness_pairwise = rel_case("A", bfi_ac[, paste0("A", 1:5)], reverse = "A1", lo = 1, hi = 6),
  bfi_agreeableness_listwise = rel_case("A", bfi_ac[, paste0("A", 1:5)], reverse = "A1", lo = 1, hi = 6, use = "listwise"),
  bfi_conscientiousness_pairwise = rel_case("C", bfi_ac[, paste0("C", 1:5)], reverse = c("C4", "C5"), lo = 1, hi = 6),
  holzinger_swineford = rel_case("HS", hs, lo = 0, hi = 10),
  pkp_materi_pairwise = rel_case("materi", materi, reverse = "materi_3"),
  pkp_materi_listwise = rel_case("materi", materi, reverse = "materi_3", use = "listwise")
)
# note: Holzinger–Swineford scores are continuous; the (lo, hi) range is unused there (no reverse keying).

# ---- pre/post ------------------------------------------------------------------------------
dz_ci <- function(t, df, n, level = 0.95) {
  q <- (1 - level) / 2
  f <- function(ncp, p) pt(t, df, ncp) - p
  lo <- uniroot(f, c(t - 20, t + 20), p = 1 - q, tol = 1e-12)$root
  hi <- uniroot(f, c(t - 20, t + 20), p = q, tol = 1e-12)$root
  c(lo, hi) / sqrt(n)
}
pp_case <- function(pre, post) {
  ok <- complete.cases(pre, post); pre <- pre[ok]; post <- post[ok]
  tt <- t.test(post, pre, paired = TRUE)
  w <- suppressWarnings(wilcox.test(post, pre, paired = TRUE, exact = FALSE, correct = TRUE))
  d <- post - pre; n <- length(d)
  list(pre = pre, post = post, n = n, t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
       ci = unname(tt$conf.int[1:2]), mean_diff = mean(d), d_z = mean(d) / sd(d),
       d_z_ci = dz_ci(unname(tt$statistic), n - 1, n), r = cor(pre, post),
       sd_pre = sd(pre), sd_post = sd(post),
       wilcoxon_V = unname(w$statistic), wilcoxon_p = w$p.value,
       shapiro_W = unname(shapiro.test(d)$statistic), shapiro_p = shapiro.test(d)$p.value)
}
data(sleep)
tests <- read.csv("data/raw/pkp-2026-angkatan-1/nilai_tes.csv", na.strings = "")
exact_pre <- c(12, 15, 9, 20, 17, 11, 14, 8, 16, 10)
exact_post <- c(14, 22, 8, 28, 26, 14, 25, 4, 21, 16)  # differences 2 7 -1 8 9 3 11 -4 5 6: no ties, no zeros
ex <- wilcox.test(exact_post, exact_pre, paired = TRUE, exact = TRUE)
out$prepost <- list(
  sleep = pp_case(sleep$extra[sleep$group == 1], sleep$extra[sleep$group == 2]),
  pkp_tests = pp_case(tests[["Nilai.Pre.test"]], tests[["Nilai.Post.test"]]),
  exact_no_ties = list(pre = exact_pre, post = exact_post, V = unname(ex$statistic), p = ex$p.value)
)

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/reference/reference.json")
cat("wrote tests/reference/reference.json\n")

# ---- McNemar and comparison groups (appended; rerun the whole script) ----------------------
ref2 <- fromJSON("tests/reference/reference.json", simplifyVector = FALSE)
tab <- matrix(c(794, 86, 150, 570), nrow = 2)
set.seed(7)
before <- rbinom(60, 1, 0.35) == 1
after <- ifelse(before, runif(60) > 0.1, runif(60) > 0.55)
m1 <- mcnemar.test(table(factor(before, c(TRUE, FALSE)), factor(after, c(TRUE, FALSE))))
m2 <- mcnemar.test(table(factor(before, c(TRUE, FALSE)), factor(after, c(TRUE, FALSE))), correct = FALSE)
b <- sum(before & !after); cc <- sum(!before & after)
ref2$mcnemar <- list(
  published = list(table = tab, statistic = unname(mcnemar.test(tab)$statistic), p = mcnemar.test(tab)$p.value),
  simulated = list(before = before, after = after, statistic = unname(m1$statistic), p = m1$p.value,
                   statistic_uncorrected = unname(m2$statistic), p_uncorrected = m2$p.value,
                   p_exact = binom.test(b, b + cc, 0.5)$p.value))
set.seed(11)
n <- 90
grp <- rep(c("kontrol", "klasikal", "daring"), each = 30)
pre <- round(rnorm(n, 55 + 4 * (grp == "daring"), 10))
post <- round(pre * 0.8 + 15 + 8 * (grp == "klasikal") + 3 * (grp == "daring") + rnorm(n, 0, 6))
d <- data.frame(pre = pre, post = post, group = factor(grp, levels = c("kontrol", "klasikal", "daring")))
write.csv(d, "tests/reference/data/comparison_groups.csv", row.names = FALSE)
grp_case <- function(g) {
  s <- droplevels(d[d$group %in% c("kontrol", g), ])
  s$treated <- as.numeric(s$group == g)
  a <- summary(lm(post ~ pre + treated, data = s))$coefficients["treated", ]
  dd <- summary(lm(I(post - pre) ~ treated, data = s))$coefficients["treated", ]
  list(ancova_effect = unname(a[1]), ancova_se = unname(a[2]), ancova_p = unname(a[4]),
       did_effect = unname(dd[1]), did_se = unname(dd[2]), did_p = unname(dd[4]))
}
ref2$compare_groups <- list(klasikal = grp_case("klasikal"), daring = grp_case("daring"))
writeLines(toJSON(ref2, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/reference/reference.json")
cat("added mcnemar and compare_groups\n")

# ---- test-item analysis (appended) -------------------------------------------------------
ref3 <- fromJSON("tests/reference/reference.json", simplifyVector = FALSE)
set.seed(21)
n <- 40; k <- 10
ability <- rnorm(n); diffs <- seq(-1.5, 1.5, length.out = k)
resp <- sapply(diffs, function(b) as.integer(runif(n) < plogis(1.3 * (ability - b))))
colnames(resp) <- paste0("s", 1:k)
write.csv(resp, "tests/reference/data/test_items.csv", row.names = FALSE)
total <- rowSums(resp)
g <- round(0.27 * n)
ord <- order(-total, seq_len(n))           # ties broken by the order in the data
up <- resp[ord[1:g], ]; lo <- resp[ord[(n - g + 1):n], ]
p <- colMeans(resp)
kr20 <- k / (k - 1) * (1 - sum(p * (1 - p)) / (mean(total^2) - mean(total)^2))
ref3$item_analysis <- list(
  difficulty = unname(p), p_upper = unname(colMeans(up)), p_lower = unname(colMeans(lo)),
  point_biserial = unname(apply(resp, 2, function(x) cor(x, total))),
  point_biserial_rest = unname(sapply(1:k, function(j) cor(resp[, j], total - resp[, j]))),
  kr20 = kr20, alpha_psych = psych::alpha(as.data.frame(resp), warnings = FALSE)$total$raw_alpha,
  r_critical_n40 = (function(df) { t <- qt(0.975, df); t / sqrt(df + t^2) })(38))
writeLines(toJSON(ref3, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/reference/reference.json")
cat("added item analysis\n")

# ---- polychoric, ordinal alpha and omega (appended) -----------------------------------------
suppressPackageStartupMessages(library(polycor))
ref4 <- fromJSON("tests/reference/reference.json", simplifyVector = FALSE)
# polychor() stops optimise() at its default tolerance (~1.2e-4); poly_tight maximizes the
# same two-step likelihood (polycor's own cell probabilities, binBvn) to 1e-10.
poly_tight <- function(x, y) {
  tab <- table(x, y)
  rc <- qnorm(cumsum(rowSums(tab)) / sum(tab))[-nrow(tab)]
  cc <- qnorm(cumsum(colSums(tab)) / sum(tab))[-ncol(tab)]
  f <- function(rho) -sum(tab * log(polycor:::binBvn(rho, rc, cc)))
  optimise(f, c(-0.9999, 0.9999), tol = 1e-10)$minimum
}
ord_case <- function(x) {
  k <- ncol(x); R <- diag(k); R0 <- diag(k)
  for (i in 1:(k - 1)) for (j in (i + 1):k) {
    ok <- complete.cases(x[, i], x[, j])
    R[i, j] <- R[j, i] <- poly_tight(x[ok, i], x[ok, j])
    R0[i, j] <- R0[j, i] <- polychor(x[ok, i], x[ok, j], ML = FALSE)
  }
  colnames(R) <- rownames(R) <- colnames(x)
  list(items = colnames(x), polychoric = unname(R), polychor_default = unname(R0),
       ordinal_alpha = k / (k - 1) * (1 - k / sum(R)),
       ordinal_omega = omega_lavaan(R, sum(complete.cases(x))))
}
bfiA <- bfi_ac[, paste0("A", 1:5)]; bfiA$A1 <- 7 - bfiA$A1
mat <- materi; mat$materi_3 <- 6 - mat$materi_3
ref4$ordinal <- list(bfi_agreeableness = c(ord_case(bfiA), list(reverse = "A1", scale = c(1, 6))),
                     pkp_materi = c(ord_case(mat), list(reverse = "materi_3", scale = c(1, 5))))
writeLines(toJSON(ref4, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/reference/reference.json")
cat("added ordinal\n")

# ---- cohorts: random-intercept models (appended) ---------------------------------------------
suppressPackageStartupMessages(library(lme4))
ref5 <- fromJSON("tests/reference/reference.json", simplifyVector = FALSE)
set.seed(31)
coh <- rep(paste0("angkatan-", 1:5), times = c(30, 34, 28, 36, 32))
eff <- c(12, 15, 4, 10, 8)[as.integer(factor(coh))]
pre <- round(rnorm(length(coh), 55, 10))
post <- pmin(100, round(pre + eff + rnorm(length(coh), 0, 7)))
dc <- data.frame(cohort = coh, pre = pre, post = post)
write.csv(dc, "tests/reference/data/cohorts.csv", row.names = FALSE)
m1 <- lmer(I(post - pre) ~ 1 + (1 | cohort), data = dc, REML = TRUE)
m2 <- lmer(post ~ pre + (1 | cohort), data = dc, REML = TRUE)
vc <- function(m) { v <- as.data.frame(VarCorr(m)); c(v$vcov[v$grp == "cohort"], v$vcov[v$grp == "Residual"]) }
ref5$cohorts <- list(
  change = list(estimate = unname(fixef(m1)[1]), se = unname(sqrt(diag(vcov(m1)))[1]), var = vc(m1)),
  ancova = list(estimate = unname(fixef(m2)["pre"]), se = unname(sqrt(diag(vcov(m2)))[2]), var = vc(m2)),
  per_cohort_t = unname(sapply(split(dc, dc$cohort), function(g) t.test(g$post, g$pre, paired = TRUE)$statistic)))
writeLines(toJSON(ref5, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/reference/reference.json")
cat("added cohorts\n")

# ---- intraclass correlations (appended) -----------------------------------------------------
ref6 <- fromJSON("tests/reference/reference.json", simplifyVector = FALSE)
sf <- matrix(c(9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7), ncol = 4, byrow = TRUE)
set.seed(41)
truth <- rnorm(30, 3.4, 0.6)
raters <- cbind(alumni = round(truth + 0.3 + rnorm(30, 0, 0.35), 2), atasan = round(truth + rnorm(30, 0, 0.35), 2))
write.csv(data.frame(participant = 1:30, raters), "tests/reference/data/icc_two_raters.csv", row.names = FALSE)
icc_case <- function(m) { r <- psych::ICC(m, lmer = FALSE)$results
  list(estimate = r$ICC, F = r$F, df1 = r$df1, df2 = r$df2, p = r$p, lower = r$`lower bound`, upper = r$`upper bound`) }
ref6$icc <- list(shrout_fleiss = c(list(data = sf), icc_case(sf)), two_raters = icc_case(raters))
writeLines(toJSON(ref6, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/reference/reference.json")
cat("added icc\n")

# ---- chain of evidence: correlations between levels (appended) -----------------------------
# R's attitude data (clerical employees' ratings): rating ~ reaction, learning ~ learning,
# raises ~ a later outcome. One value missing in learning to test pairwise-complete pairs.
ref7 <- fromJSON("tests/reference/reference.json", simplifyVector = FALSE)
att <- attitude[, c("rating", "learning", "raises")]
att$learning[5] <- NA
write.csv(att, "tests/reference/data/chain_attitude.csv", row.names = FALSE, na = "")
pairs <- list(c("rating", "learning"), c("rating", "raises"), c("learning", "raises"))
ref7$chain <- lapply(pairs, function(p) {
  ok <- complete.cases(att[, p])
  pe <- cor.test(att[ok, p[1]], att[ok, p[2]])
  sp <- suppressWarnings(cor.test(att[ok, p[1]], att[ok, p[2]], method = "spearman", exact = FALSE))
  list(x = p[1], y = p[2], n = sum(ok), r = unname(pe$estimate), ci = unname(pe$conf.int),
       p_value = pe$p.value, rho = unname(sp$estimate), rho_p_value = sp$p.value)
})
writeLines(toJSON(ref7, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/reference/reference.json")
cat("added chain\n")
