"""Recipe: one region's forecast of one weekly series, its backtest and scores, and the plots."""

# %% [markdown]
# # Forecast and score
#
# Where is California's COVID-19 hospital admissions curve heading, and how far can that
# be trusted? This recipe makes the forecast the site shows (the ensemble of epicurves'
# models, as quantiles for the next weeks), backtests it — a forecast at every past reference
# date, each made only from the data published by then, from CDC's weekly releases — and
# scores the backtest as the forecast hubs do: the weighted interval score (WIS) relative to
# the hubs' baseline, and how often the 50 % and 95 % intervals held the outcome.
#
# A forecast is not a prediction of what will happen whatever people do: it assumes the
# recent trend and its variability go on. New variants, changes in testing or reporting, or
# interventions are not in it. Its track record says how such forecasts did in the past.

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import bokeh.resources
from bokeh.io import output_notebook, show
from bokeh.plotting import figure

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## The forecast
#
# `make_forecasts` gives the hubs' format: one row per reference date, location, horizon
# and quantile level (23 levels). The reference date is a Saturday; horizon h is the week
# ending h weeks after it, and horizon -1 the newest week of the latest release, still being
# revised (a nowcast). Change the region and the target to any of `FORECAST_TARGETS`.

# %%
REGION, TARGET = "US-CA", "wk inc covid hosp"
print(f"{TARGET}: {epicurves.FORECAST_TARGETS[TARGET].label}")

forecasts = epicurves.make_forecasts([TARGET], regions=[REGION], settings=settings)
latest = forecasts.pivot_table(
    index=["horizon", "target_end_date"], columns="output_type_id", values="value"
)[[0.025, 0.25, 0.5, 0.75, 0.975]]
print(f"reference date {forecasts['reference_date'].iloc[0]:%Y-%m-%d}, model ensemble")
latest.round(0)

# %% [markdown]
# The same forecast as the region page draws it: a fan after the admissions chart's line,
# the median and the 50 % and 95 % intervals (`plot_signals` and `plot_region` take the
# forecasts as they come).

# %%
signals = epicurves.load_signals([REGION], settings=settings)
show(epicurves.plot_signals(signals, per="count", forecasts=forecasts))

# %% [markdown]
# ## The backtest
#
# `backtest` makes a forecast at every reference date of the series by every model
# (the hubs' baseline, epicurves' models and their ensemble) from what was published three
# days before that date (the newest release on or before the Wednesday), and scores each
# against the values known now. With `regions`, only those series are forecast (the pooled
# models still learn from every state, as in the full backtest); `forecasts=True` also
# returns the forecasts themselves.

# %%
report = epicurves.backtest(
    [TARGET], regions=[REGION], settings=settings, forecasts=True
)
scored = report.scores
ensemble = scored[scored["model"] == "ensemble"]
print(
    f"{len(ensemble):,} forecasts of the ensemble scored, reference dates "
    f"{ensemble['reference_date'].min():%Y-%m-%d} to "
    f"{ensemble['reference_date'].max():%Y-%m-%d}"
)
scored.head(3)

# %% [markdown]
# ## The scores
#
# Per period and horizon: the number of forecasts, the ensemble's WIS relative to the
# baseline's on the same forecasts (the ratio of their sums; below 1 beats the baseline), and
# the share of outcomes in its 50 % and 95 % intervals (a well-calibrated forecast: 0.5 and
# 0.95). The models were chosen and tuned on the `tuning` period; `evaluation` came after,
# untouched. `epicurves.scores` gives the same table for every region of a stored backtest.

# %%
pair = scored.astype({"model": str, "period": str})
keys = ["period", "horizon", "reference_date"]
mine = pair[pair["model"] == "ensemble"].set_index(keys)
baseline = pair[pair["model"] == "baseline"].set_index(keys)["wis"]
both = mine.join(baseline.rename("baseline_wis"), how="inner")
card = both.groupby(["period", "horizon"]).agg(
    n=("wis", "size"),
    wis=("wis", "sum"),
    baseline_wis=("baseline_wis", "sum"),
    coverage_50=("covered_50", "mean"),
    coverage_95=("covered_95", "mean"),
)
card.insert(1, "relative_wis", card.pop("wis") / card.pop("baseline_wis"))
one = card.loc[("evaluation", 1)]
print(
    f"evaluation, horizon 1: relative WIS {one['relative_wis']:.2f}, 95 % interval held "
    f"the outcome {one['coverage_95'] * 100:.0f} % of the time ({one['n']:.0f} forecasts)"
)
card.round(3)

# %% [markdown]
# ## The track record, drawn
#
# Each week's outcome (the values known now) beside the ensemble's forecast of it made one
# week ahead: its median and its 95 % interval. Where the line leaves the band, the
# forecast missed.

# %%
made = report.forecasts
ahead = made[(made["model"] == "ensemble") & (made["horizon"] == 1)].pivot_table(
    index="target_end_date", columns="output_type_id", values="value"
)
outcomes = ensemble[ensemble["horizon"] == 1].set_index("target_end_date")["observed"]
plot = figure(
    title=f"{REGION}: {epicurves.FORECAST_TARGETS[TARGET].label}, forecast one week ahead",
    x_axis_type="datetime", height=320, sizing_mode="stretch_width",
)  # fmt: skip
plot.varea(
    x=ahead.index, y1=ahead[0.025], y2=ahead[0.975], fill_color="#7b8fb0",
    legend_label="95 % interval",
)  # fmt: skip
plot.line(ahead.index, ahead[0.5], line_color="#1d2f55", line_width=2,
          legend_label="median")  # fmt: skip
plot.line(outcomes.index, outcomes, line_color="#d62728", line_width=2,
          legend_label="outcome")  # fmt: skip
plot.legend.location = "top_left"
show(plot)
