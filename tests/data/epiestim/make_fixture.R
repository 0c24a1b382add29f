#!/usr/bin/env Rscript
# R(t) by EpiEstim's estimate_R (Cori et al. 2013) for the series in inputs.csv, written to
# expected.csv: the independent reference tests/test_epiestim.py compares epicurves' r_cori with.
#
#   Rscript tests/data/epiestim/make_fixture.R        (from the repository root)
#
# The settings are those of epicurves' CoriOptions defaults (src/epicurves/analysis/cori.py):
# parametric serial interval mean 4.7, sd 2.9; weekly sliding windows reported at their end,
# the first one on days 2-8 (day 1 is imported in both); gamma prior mean 5, sd 5 (shape 1,
# scale 5). Negative daily counts (corrections) are set to 0, as cori.py does (EpiEstim
# refuses negative incidence). EpiEstim has no minimum-cases rule: it estimates every window.

suppressPackageStartupMessages(library(EpiEstim))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script) == 1) dirname(normalizePath(script)) else "tests/data/epiestim"

inputs <- read.csv(file.path(here, "inputs.csv"), colClasses = "character")
inputs$new_cases <- as.numeric(inputs$new_cases)
key <- paste(inputs$source, inputs$region_id)

fmt <- function(x) ifelse(is.na(x), "", sprintf("%.6f", x))

parts <- list()
for (k in unique(key)) {
  one <- inputs[key == k, ]
  stopifnot(!is.unsorted(as.Date(one$date), strictly = TRUE))
  incid <- pmax(one$new_cases, 0)  # corrections count as 0, as in epicurves
  n <- length(incid)
  t_start <- seq(2, n - 6)
  t_end <- t_start + 6
  config <- make_config(list(
    mean_si = 4.7, std_si = 2.9,
    t_start = t_start, t_end = t_end,
    mean_prior = 5, std_prior = 5
  ))
  # Warnings: "first day's cases are imported" (intended) and "estimating R too early".
  res <- suppressWarnings(estimate_R(incid, method = "parametric_si", config = config))
  r <- res$R
  stopifnot(identical(as.integer(r$t_end), as.integer(t_end)))
  parts[[k]] <- data.frame(
    source = one$source[1],
    region_id = one$region_id[1],
    date = one$date[r$t_end],
    mean = fmt(r[["Mean(R)"]]),
    q025 = fmt(r[["Quantile.0.025(R)"]]),
    q975 = fmt(r[["Quantile.0.975(R)"]])
  )
}
out <- do.call(rbind, parts)
write.csv(out, file.path(here, "expected.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("wrote %s (%d rows) with EpiEstim %s, %s\n", file.path(here, "expected.csv"),
            nrow(out), packageVersion("EpiEstim"), R.version.string))
