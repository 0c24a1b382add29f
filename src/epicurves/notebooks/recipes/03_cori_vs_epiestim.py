"""Recipe: R by Cori et al., the serial interval's effect, and a check against EpiEstim."""

# %% [markdown]
# # R by Cori et al., checked against EpiEstim
#
# Estimate the time-varying reproduction number R of Germany in 2020 with the method of Cori
# et al. (2013), see how much the assumed serial interval moves it, and check epicurves'
# numbers against EpiEstim, the R package of the method's authors, whose output for the same
# series ships with epicurves.
#
# **The method.** Cases on day $t$ are Poisson with mean $R\,\Lambda_t$, where
# $\Lambda_t = \sum_{s \ge 1} I_{t-s}\, w_s$ is the infectiousness of the cases before, weighted
# by the serial interval $w$ (the probability that a case's infector fell ill $s$ days
# earlier). With a gamma prior (mean 5, sd 5: shape $a = 1$, scale $b = 5$), R over the week
# ending on day $t$ has the gamma posterior
#
# $$R_t \sim \mathrm{Gamma}\Big(\text{shape } a + \sum_{s=t-6}^{t} I_s,\;
#   \text{scale } \frac{1}{1/b + \sum_{s=t-6}^{t} \Lambda_s}\Big).$$
#
# epicurves reports its mean and 95 % interval at the window's end (`r_cori`, `r_cori_lo`,
# `r_cori_hi`), and none where the week holds fewer than 11 cases (then the posterior's
# coefficient of variation would exceed 0.3).

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import bokeh.resources
import numpy as np
import pandas as pd
from bokeh.io import output_notebook, show
from bokeh.models import Band, ColumnDataSource, Span
from bokeh.palettes import Category10
from bokeh.plotting import figure

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## Germany's daily cases in 2020
#
# Daily cases by reporting date, from RKI. `r_cori` needs a date-indexed series of
# consecutive days.

# %%
germany = epicurves.load_metrics(["DE"], end="2020-12-31", settings=settings)
daily = germany.set_index("date")["new_cases"].astype(float)
estimate = epicurves.r_cori(daily)  # the defaults: serial interval mean 4.7 d, sd 2.9 d
estimate.dropna().iloc[::30].round(3)

# %% [markdown]
# `load_metrics` gives the same numbers in its `r_cori` columns:

# %%
assert germany.set_index("date")["r_cori"].equals(estimate["mean"])

fig = figure(
    title="Germany 2020: R by Cori et al. (serial interval mean 4.7 d, sd 2.9 d)",
    x_axis_type="datetime",
    height=320,
    sizing_mode="stretch_width",
    y_range=(0, 4),
    x_range=(pd.Timestamp("2020-03-01"), pd.Timestamp("2020-12-31")),
)
source = ColumnDataSource(estimate.reset_index())
fig.add_layout(
    Band(
        base="date",
        lower="lo",
        upper="hi",
        source=source,
        fill_alpha=0.3,
        fill_color="#1f77b4",
    )
)
fig.line(
    "date", "mean", source=source, line_width=2, legend_label="posterior mean, 95 %"
)
fig.add_layout(Span(location=1, dimension="width", line_dash="dashed"))
show(fig)

# %% [markdown]
# ## The serial interval moves R
#
# R is the growth of the cases measured in generations, so the same growth rate $r$ gives a
# larger R when a generation is longer. For a fixed generation time $g$,
# $R = e^{r g}$ (Wallinga & Lipsitch 2007): when cases grow, a longer serial interval gives
# a higher R; when they fall, a lower one. Values in use for COVID-19:
#
# | serial interval | mean | sd | used by |
# |---|---|---|---|
# | Nishiura et al. 2020 | 4.7 d | 2.9 d | epicurves' default, EpiNow2 |
# | gamma, mean 6.5 d, coefficient of variation 0.62 | 6.5 d | 4.0 d | Flaxman et al. 2020 (Imperial College) |
# | gamma, shape 6.5, scale 0.62 | 4.0 d | 1.6 d | epyestim (its reading of Flaxman's parameters) |
# | gamma | 4.8 d | 2.3 d | ETH Zürich's covid-19-Re |
# | fixed | 4 d | 0 | RKI's ratio method |
#
# Pass `si_mean` and `si_sd`, or the whole distribution as `si_distribution` (probabilities
# of 0, 1, 2, ... days), to `r_cori`; or a `CoriOptions` to `load_metrics`.

# %%
serial_intervals = {
    "4.7 / 2.9 (Nishiura)": {"si_mean": 4.7, "si_sd": 2.9},
    "4.0 / 1.6 (epyestim)": {"si_mean": 6.5 * 0.62, "si_sd": 6.5**0.5 * 0.62},
    "4.8 / 2.3 (ETH)": {"si_mean": 4.8, "si_sd": 2.3},
    "4 days fixed (RKI)": {"si_distribution": (0, 0, 0, 0, 1.0)},
    "6.5 / 4.0 (Flaxman)": {"si_mean": 6.5, "si_sd": 6.5 * 0.62},
}
by_si = pd.DataFrame(
    {
        name: epicurves.r_cori(daily, **options)["mean"]
        for name, options in serial_intervals.items()
    }
)
days = ["2020-03-15", "2020-04-15", "2020-07-01", "2020-10-15", "2020-12-15"]
by_si.loc[days].round(2)

# %%
fig = figure(
    title="R of Germany, 2020, by serial interval (mean / sd, days)",
    x_axis_type="datetime",
    height=320,
    sizing_mode="stretch_width",
    y_range=(0, 4),
    x_range=(pd.Timestamp("2020-03-01"), pd.Timestamp("2020-12-31")),
)
for number, name in enumerate(by_si.columns):
    colour = Category10[10][number % 10]
    fig.line(by_si.index, by_si[name], color=colour, legend_label=name, line_width=2)
fig.add_layout(Span(location=1, dimension="width", line_dash="dashed"))
show(fig)

# %% [markdown]
# In October's growth the longer serial interval gives the higher R, in April's decline the
# lower one; every one of them says "growing" in October and "shrinking" in April:

# %%
growing, falling = by_si.loc["2020-10-15"], by_si.loc["2020-04-15"]
print(f"2020-10-15: R {growing.min():.2f} ... {growing.max():.2f}")
print(f"2020-04-15: R {falling.min():.2f} ... {falling.max():.2f}")
assert (
    growing["6.5 / 4.0 (Flaxman)"]
    > growing["4.7 / 2.9 (Nishiura)"]
    > growing["4.0 / 1.6 (epyestim)"]
    > 1
)
assert (
    falling["6.5 / 4.0 (Flaxman)"]
    < falling["4.7 / 2.9 (Nishiura)"]
    < falling["4.0 / 1.6 (epyestim)"]
    < 1
)

# %% [markdown]
# The same choice for every metric of every region: a `CoriOptions` to `load_metrics` (or
# `compute_metrics`).

# %%
short = epicurves.CoriOptions(**serial_intervals["4.0 / 1.6 (epyestim)"])
other = epicurves.load_metrics(["DE"], end="2020-12-31", cori=short, settings=settings)
assert other.set_index("date")["r_cori"].equals(by_si["4.0 / 1.6 (epyestim)"])
short

# %% [markdown]
# ## Against EpiEstim
#
# `epicurves.reference_data("epiestim")` is EpiEstim 2.2-4's `estimate_R` (parametric serial
# interval mean 4.7, sd 2.9; weekly sliding windows; prior mean 5, sd 5) on Germany's daily
# cases of 2020, with the cases it was given. First, those are the cases epicurves has:

# %%
epiestim = epicurves.reference_data("epiestim").set_index("date")
print(epiestim.attrs["description"])
assert epiestim.index.equals(daily.index)
assert (epiestim["new_cases"] == daily).all()
epiestim.dropna().iloc[::60]

# %% [markdown]
# Where both give an estimate, they agree. Two differences are by design: epicurves
# truncates the serial interval at 40 days (EpiEstim reaches back to the first day), which
# moves R by about a millionth; and it leaves R empty where the week holds fewer than 11
# cases, where EpiEstim gives a wide interval anyway.

# %%
both = estimate["mean"].notna() & epiestim["mean"].notna()
pairs = {"mean": "mean", "lo": "q025", "hi": "q975"}
difference = pd.DataFrame(
    {
        ours: (estimate[ours] - epiestim[theirs])[both].abs()
        for ours, theirs in pairs.items()
    }
)
relative = difference["mean"] / epiestim["mean"][both]
print(f"windows: {epiestim['mean'].notna().sum()}, estimated by both: {both.sum()}")
print(
    f"left empty by epicurves (fewer than 11 cases): {(estimate['mean'].isna() & epiestim['mean'].notna()).sum()}"
)
print(
    f"max |difference| of the mean: {difference['mean'].max():.1e} (relative {relative.max():.1e})"
)
print(
    f"max |difference| of the 95 % bounds: {difference[['lo', 'hi']].max().max():.1e}"
)
assert relative.max() < 1e-5
assert np.allclose(estimate["lo"][both], epiestim["q025"][both], rtol=1e-5, atol=5e-7)
assert np.allclose(estimate["hi"][both], epiestim["q975"][both], rtol=1e-5, atol=5e-7)
few = daily.clip(lower=0).rolling(7).sum() < 11
assert (estimate["mean"].isna() & epiestim["mean"].notna()).equals(
    few & epiestim["mean"].notna()
)

# %% [markdown]
# Given EpiEstim's own, untruncated serial interval, epicurves' mean is EpiEstim's to the
# reference's rounding (6 decimals: half a unit of the last is $5 \times 10^{-7}$):

# %%
untruncated = epicurves.discrete_serial_interval(4.7, 2.9, max_days=len(daily) - 1)
same_si = epicurves.r_cori(daily, si_distribution=tuple(untruncated))
exact = (same_si["mean"] - epiestim["mean"])[both].abs().max()
print(f"max |difference| of the mean, EpiEstim's serial interval: {exact:.1e}")
assert exact <= 5e-7 + 1e-12
