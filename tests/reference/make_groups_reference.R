# Reference values for compare_groups() (joint ANCOVA) and the new pre/post pieces,
# computed once with R and stored as a fixture.
#
#   Rscript tests/reference/make_groups_reference.R      (from the project root)
#
# Needs Debian's r-base-core, r-cran-mass, r-cran-jsonlite; r-cran-effectsize if installed
# (rank-biserial r with its CI, Cohen's d for paired data; otherwise those entries are NA).
# Writes tests/reference/data/anorexia.csv, tests/reference/data/groups_unequal.csv,
# tests/reference/data/prepost_alternative.csv and tests/reference/groups_reference.json.
# The Python tests never run R: they read these files.
suppressPackageStartupMessages({library(MASS); library(jsonlite)})
has_es <- requireNamespace("effectsize", quietly = TRUE)
out <- list(meta = list(R = R.version.string, MASS = as.character(packageVersion("MASS")),
                        effectsize = if (has_es) as.character(packageVersion("effectsize")) else NA,
                        date = as.character(Sys.Date())))
dir.create("tests/reference/data", showWarnings = FALSE)

# ---- joint ANCOVA: post ~ pre + group (treatment contrasts against the control) ----------
joint <- function(d, control) {
  # d has columns pre, post, group; rows with a missing score are dropped (na.omit, R's default)
  d <- d[complete.cases(d[, c("pre", "post", "group")]), ]
  d$group <- relevel(factor(d$group), ref = control)
  m <- lm(post ~ pre + group, data = d)
  m0 <- lm(post ~ pre, data = d)
  mi <- lm(post ~ pre * group, data = d)
  ch <- lm(I(post - pre) ~ group, data = d)
  ch0 <- lm(I(post - pre) ~ 1, data = d)
  s <- summary(m)$coefficients; ci <- confint(m)
  sc <- summary(ch)$coefficients; cic <- confint(ch)
  lev <- levels(d$group)
  per <- list()
  for (g in lev[-1]) {
    term <- paste0("group", g)
    per[[g]] <- list(n = sum(d$group == g), n_control = sum(d$group == control),
                     ancova_effect = s[term, 1], ancova_se = s[term, 2], ancova_t = s[term, 3],
                     ancova_p = s[term, 4], ancova_ci_low = ci[term, 1], ancova_ci_high = ci[term, 2],
                     did_effect = sc[term, 1], did_se = sc[term, 2], did_t = sc[term, 3], did_p = sc[term, 4],
                     did_ci_low = cic[term, 1], did_ci_high = cic[term, 2])
  }
  a <- anova(m0, m)
  ss_group <- a$`Sum of Sq`[2]; ss_res <- a$RSS[2]
  sl <- anova(m, mi)
  ac <- anova(ch0, ch)
  # adjusted (estimated marginal) means: the model's prediction at the mean pretest
  nd <- data.frame(pre = mean(d$pre), group = factor(lev, levels = lev))
  pr <- predict(m, nd, se.fit = TRUE, interval = "confidence")
  adj <- list()
  for (i in seq_along(lev)) adj[[lev[i]]] <- list(adjusted_mean = pr$fit[i, "fit"], se = pr$se.fit[i],
                                                  ci_low = pr$fit[i, "lwr"], ci_high = pr$fit[i, "upr"])
  es <- list()
  if (has_es) {
    for (g in lev[-1]) {
      # Cohen's d and Hedges' g of the post-test, group vs control, pooled SD
      cd <- effectsize::cohens_d(d$post[d$group == g], d$post[d$group == control], ci = 0.95)
      hg <- effectsize::hedges_g(d$post[d$group == g], d$post[d$group == control], ci = 0.95)
      es[[g]] <- list(cohen_d = cd$Cohens_d, cohen_d_ci_low = cd$CI_low, cohen_d_ci_high = cd$CI_high,
                      hedges_g = hg$Hedges_g, hedges_g_ci_low = hg$CI_low, hedges_g_ci_high = hg$CI_high)
    }
    # partial eta squared of group after pre (sequential SS = the nested-model F above)
    e2 <- effectsize::eta_squared(m, partial = TRUE, alternative = "two.sided", ci = 0.95)
    e2 <- e2[e2$Parameter == "group", ]
    es$partial_eta2 <- list(estimate = e2$Eta2_partial, ci_low = e2$CI_low, ci_high = e2$CI_high)
  }
  list(coefficients = per, effect_sizes = es,
       omnibus = list(F = a$F[2], df1 = a$Df[2], df2 = a$Res.Df[2], p = a$`Pr(>F)`[2],
                      partial_eta2 = ss_group / (ss_group + ss_res)),
       change_omnibus = list(F = ac$F[2], df1 = ac$Df[2], df2 = ac$Res.Df[2], p = ac$`Pr(>F)`[2]),
       slopes = list(F = sl$F[2], df1 = sl$Df[2], df2 = sl$Res.Df[2], p = sl$`Pr(>F)`[2]),
       pre_slope = coef(m)[["pre"]], sigma = summary(m)$sigma, n = nrow(d),
       mean_pre = mean(d$pre), adjusted_means = adj)
}

data(anorexia)
an <- data.frame(Treat = as.character(anorexia$Treat), Prewt = anorexia$Prewt, Postwt = anorexia$Postwt)
write.csv(an, "tests/reference/data/anorexia.csv", row.names = FALSE)
out$anorexia <- joint(data.frame(pre = an$Prewt, post = an$Postwt, group = an$Treat), "Cont")
# the same fit as written in the issue, lm(Postwt ~ Prewt + Treat) with Cont as reference
m_an <- lm(Postwt ~ Prewt + Treat, data = transform(anorexia, Treat = relevel(Treat, ref = "Cont")))
out$anorexia$lm_coefficients <- as.list(coef(m_an))

# a second data set: unequal group sizes (9, 16, 23) and missing post scores
set.seed(20261201)
sizes <- c(kontrol = 9, daring = 16, klasikal = 23)
g <- rep(names(sizes), sizes)
pre <- round(rnorm(sum(sizes), 60, 9), 1)
post <- round(pre * 0.7 + 22 + c(kontrol = 0, daring = 3, klasikal = 6)[g] + rnorm(sum(sizes), 0, 6), 1)
post[c(3, 12, 20, 31, 44)] <- NA
uq <- data.frame(id = sprintf("P%03d", seq_along(g)), group = g, pre = pre, post = post)
write.csv(uq, "tests/reference/data/groups_unequal.csv", row.names = FALSE, na = "")
out$unequal <- joint(uq, "kontrol")

# the project's older comparison data set, now fitted jointly as well
cg <- read.csv("tests/reference/data/comparison_groups.csv")
out$comparison_groups <- joint(cg, "kontrol")

# ---- pre/post: alternatives, Wilcoxon V, rank-biserial -----------------------------------
set.seed(7)
n <- 34
pp_pre <- round(rnorm(n, 55, 12))
pp_post <- pmin(100, round(pp_pre + rnorm(n, 6, 9)))
pp_post[c(4, 9)] <- pp_pre[c(4, 9)]  # two zero differences; rounding gives ties
write.csv(data.frame(id = sprintf("S%02d", 1:n), pre = pp_pre, post = pp_post),
          "tests/reference/data/prepost_alternative.csv", row.names = FALSE)
pp <- list()
for (alt in c("two.sided", "greater", "less")) {
  tt <- t.test(pp_post, pp_pre, paired = TRUE, alternative = alt)
  # R warns about ties and zeros with exact = FALSE silenced; exact = FALSE is evalkit's "approx"
  wt <- suppressWarnings(wilcox.test(pp_post, pp_pre, paired = TRUE, alternative = alt,
                                     exact = FALSE, correct = TRUE))
  e <- list(t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
            ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
            V = unname(wt$statistic), wilcoxon_p = wt$p.value)
  if (has_es) {
    # on the differences: n = the non-zero differences in the CI's SE. (The paired form,
    # rank_biserial(post, pre, paired = TRUE), gives the same r but counts the zero
    # differences in n in effectsize 0.8.3; stored as well.)
    rb <- effectsize::rank_biserial(pp_post - pp_pre, alternative = alt, ci = 0.95)
    e$rank_biserial <- rb$r_rank_biserial; e$rank_biserial_ci_low <- rb$CI_low
    e$rank_biserial_ci_high <- rb$CI_high
    rp <- effectsize::rank_biserial(pp_post, pp_pre, paired = TRUE, alternative = alt, ci = 0.95)
    e$rank_biserial_paired <- rp$r_rank_biserial; e$rank_biserial_paired_ci_low <- rp$CI_low
    e$rank_biserial_paired_ci_high <- rp$CI_high
  }
  pp[[alt]] <- e
}
d <- pp_post - pp_pre
nz <- d[d != 0]; rk <- rank(abs(nz))
pp$by_hand <- list(r_plus = sum(rk[nz > 0]), r_minus = sum(rk[nz < 0]),
                   rank_biserial = (sum(rk[nz > 0]) - sum(rk[nz < 0])) / sum(rk),
                   d_z = mean(d) / sd(d),
                   d_av_rms = mean(d) / sqrt((var(pp_pre) + var(pp_post)) / 2),
                   cles = mean(outer(pp_post, pp_pre, function(a, b) (a > b) + 0.5 * (a == b))))
if (has_es) {
  cd <- effectsize::cohens_d(pp_post, pp_pre, paired = TRUE, ci = 0.95)
  pp$effectsize_cohens_d_paired <- list(estimate = cd$Cohens_d, ci_low = cd$CI_low, ci_high = cd$CI_high)
}
out$prepost <- pp

# ---- McNemar: both p values and the matched-pairs odds ratio c/b with its exact CI ---------
mc <- matrix(c(794, 86, 150, 570), 2)  # rows before yes/no, columns after yes/no
b <- mc[1, 2]; c <- mc[2, 1]
bt <- binom.test(c, b + c)
out$mcnemar <- list(b = b, c = c, chi2_corrected = unname(mcnemar.test(mc)$statistic),
                    p_corrected = mcnemar.test(mc)$p.value,
                    chi2_uncorrected = unname(mcnemar.test(mc, correct = FALSE)$statistic),
                    p_uncorrected = mcnemar.test(mc, correct = FALSE)$p.value,
                    p_exact = binom.test(b, b + c)$p.value, odds_ratio = c / b,
                    or_ci_low = bt$conf.int[1] / (1 - bt$conf.int[1]),
                    or_ci_high = bt$conf.int[2] / (1 - bt$conf.int[2]))

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           "tests/reference/groups_reference.json")
cat("wrote tests/reference/groups_reference.json\n")
