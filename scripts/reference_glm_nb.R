# R MASS::glm.nb on the committed data/glm_synthetic.csv (over-dispersed counts, log exposure
# offset, the tests' 8-column design): coefficients, expected-information standard errors,
# theta = 1/alpha and its standard error, as JSON on stdout.
# Run: Rscript scripts/reference_glm_nb.R > /tmp/glm_nb.json   (Debian: r-cran-mass)
suppressMessages(library(MASS))
d <- read.csv("data/glm_synthetic.csv")
d$t1 <- as.numeric(d$tier == 1); d$t2 <- as.numeric(d$tier == 2)
d$t3 <- as.numeric(d$tier == 3); d$t4 <- as.numeric(d$tier == 4)
d$s1 <- as.numeric(d$sector == 1); d$s2 <- as.numeric(d$sector == 2)
d$lr <- d$log_revenue - 17
fit <- glm.nb(claims_od ~ t1 + t2 + t3 + t4 + s1 + s2 + lr + offset(log(exposure)), data = d,
              control = glm.control(epsilon = 1e-14, maxit = 200))
se <- sqrt(diag(vcov(fit)))
num <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
cat(sprintf('{"version": "%s", "coefficients": [%s], "std_errors": [%s], "theta": %.17g, "theta_std_error": %.17g, "twice_log_likelihood": %.17g}\n',
            as.character(packageVersion("MASS")), num(coef(fit)), num(se), fit$theta, fit$SE.theta, fit$twologlik))
