# R actuar references for kexian's credibility tests (tests/credibility.rs), on the Hachemeister
# (1975) data as in actuar's credibility vignette (Dutang, Goulet, Milhaud, Pigeon):
#  - Buhlmann-Straub, unbiased and iterative (Bichsel-Straub) between-variance estimators;
#  - the hierarchical model of the vignette (cohort = 1, 2, 1, 2, 2 over the five states) with
#    the Buhlmann-Gisler, Ohlsson and iterative estimators;
#  - Hachemeister's regression model on time = 1..12, intercept at the time origin, with the
#    premium at time 13.
# Printed with 17 significant digits as JSON on stdout.
# Run: Rscript scripts/reference_credibility.R > tests/data/credibility_reference.json
#      (Debian: apt-get install r-cran-actuar; actuar 3.3-2 was used)
suppressMessages(library(actuar))
data(hachemeister)
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, num), collapse = ", "), "]")
out <- c()
for (m in c("Buhlmann-Gisler", "iterative")) {
  f <- cm(~state, hachemeister, ratios = ratio.1:ratio.12, weights = weight.1:weight.12, method = m)
  s <- if (m == "iterative") f$iterative else f$unbiased
  out <- c(out, sprintf('"straub_%s": {"collective": %.17g, "between": %.17g, "within": %.17g, "means": %s, "weights": %s, "factors": %s, "premiums": %s}',
    if (m == "iterative") m else "unbiased", f$means[[1]], s[1], s[2], num(f$means[[2]]), num(f$weights[[2]]), num(f$cred), num(predict(f))))
}
X <- cbind(cohort = c(1, 2, 1, 2, 2), hachemeister)
for (m in c("Buhlmann-Gisler", "Ohlsson", "iterative")) {
  f <- cm(~cohort + cohort:state, data = X, ratios = ratio.1:ratio.12, weights = weight.1:weight.12, method = m)
  b <- if (m == "iterative") f$iterative else f$unbiased
  p <- predict(f)
  out <- c(out, sprintf('"hierarchical_%s": {"collective": %.17g, "between_groups": %.17g, "between_entities": %.17g, "within": %.17g, "group_means": %s, "group_weights": %s, "group_factors": %s, "group_premiums": %s, "entity_factors": %s, "entity_premiums": %s}',
    tolower(gsub("-", "_", m)), f$means[[1]], b[1], b[2], b[3], num(f$means[[2]]), num(f$weights[[2]]),
    num(f$cred[[1]]), num(p$cohort), num(f$cred[[2]]), num(p$state)))
}
f <- cm(~state, hachemeister, regformula = ~time, regdata = data.frame(time = 1:12),
        ratios = ratio.1:ratio.12, weights = weight.1:weight.12)
adj <- sapply(f$adj.models, coef)
cred <- paste0("[", paste(sapply(1:5, function(i) mat(f$cred[, , i])), collapse = ", "), "]")
out <- c(out, sprintf('"hachemeister": {"collective": %s, "between": %s, "within": %.17g, "individual": %s, "adjusted": %s, "credibility": %s, "premiums_at_13": %s}',
  num(f$means[[1]]), mat(f$iterative[[1]]), f$iterative[[2]], mat(t(f$means[[2]])), mat(t(adj)), cred,
  num(adj[1, ] + 13 * adj[2, ])))
cat("{\"generator\": \"scripts/reference_credibility.R\", \"actuar\": \"", as.character(packageVersion("actuar")), "\",\n ",
    paste(out, collapse = ",\n "), "\n}\n", sep = "")
