"""Recipe: reporting anomalies (weekend gaps, backlogs, corrections) from the flags column."""

# %% [markdown]
# # Reporting anomalies: weekend gaps, backlogs and corrections
#
# Daily counts are what health authorities *reported* that day, not when people fell ill:
# offices closed on weekends, a backlog of late reports lands on one day, a correction
# removes cases counted twice. epicurves keeps every count as published and marks such days
# in the `flags` column of `load_metrics`; this recipe counts them by kind, shows examples,
# checks each flag against its rule and draws a chart with the flagged days marked.
#
# | flag | the rule (looking only backwards) |
# |---|---|
# | `cases-decrease` | the cumulative count fell: the daily value is negative (a correction) |
# | `cases-gap` | $N_t = 0$ although the 7 days before averaged at least 10 a day (a day without a report) |
# | `cases-backlog` | $N_t \ge 50$ and $N_t \ge 5 \times$ the mean of the 7 days before (a dump of late reports) |
# | `cases-missing` | no cumulative count that day, although there was one before |
#
# and the same for deaths (`deaths-backlog` needs 10 deaths). A day can carry several flags,
# separated by `;`.

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import bokeh.resources
import pandas as pd
from bokeh.io import output_notebook, show
from bokeh.plotting import figure

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## Every region, every day
#
# One row per flag and day: split the `;`-separated column and explode it. (Write
# `metrics["flags"]`, not `metrics.flags`: `DataFrame.flags` is a pandas attribute.)

# %%
metrics = epicurves.load_metrics(settings=settings)
names = epicurves.load_regions(settings=settings).set_index("region_id")["name"]
flagged = (
    metrics.loc[
        metrics["flags"] != "",
        ["source", "region_id", "date", "new_cases", "new_deaths", "flags"],
    ]
    .assign(flag=lambda frame: frame["flags"].str.split(";"))
    .explode("flag")
)
print(
    f"{len(metrics):,} region-days of {metrics['region_id'].nunique()} regions; {metrics['flags'].ne('').sum():,} carry a flag"
)
pd.crosstab(flagged["flag"], flagged["source"], margins=True, margins_name="all")

# %% [markdown]
# ## Weekend gaps
#
# Most days without a report are weekends: many countries and US states stopped reporting
# on Saturdays and Sundays and reported those days' cases on Monday.

# %%
gaps = flagged[flagged["flag"] == "cases-gap"]
weekdays = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]
by_day = gaps["date"].dt.day_name().value_counts().reindex(weekdays)
weekend = by_day[["Saturday", "Sunday"]].sum() / by_day.sum()
print(
    f"cases-gap days: {by_day.sum():,}; on a Saturday or Sunday: {weekend:.1%} (2 days of 7 would be 28.6 %)"
)
by_day.to_frame("cases-gap days")

# %% [markdown]
# The regions with the most of them:

# %%
most = gaps.groupby("region_id").size().nlargest(5)
most.to_frame("cases-gap days").assign(name=names.reindex(most.index))

# %% [markdown]
# ## Backlogs and corrections
#
# The largest single-day backlogs, and the largest corrections (negative daily counts):

# %%
backlogs = flagged[flagged["flag"] == "cases-backlog"].nlargest(5, "new_cases")
backlogs.assign(name=names.reindex(backlogs["region_id"]).to_numpy())[
    ["name", "source", "date", "new_cases"]
]

# %%
corrections = flagged[flagged["flag"] == "cases-decrease"].nsmallest(5, "new_cases")
corrections.assign(name=names.reindex(corrections["region_id"]).to_numpy())[
    ["name", "source", "date", "new_cases"]
]

# %% [markdown]
# ## Each flag obeys its rule
#
# Recomputed here with pandas from the daily counts, per region (the mean of the 7 days
# before each day):

# %%
cases = metrics["new_cases"].astype(float)
before = cases.groupby([metrics["source"], metrics["region_id"]]).transform(
    lambda daily: daily.shift(1).rolling(7).mean()
)
has = {
    flag: metrics["flags"].str.contains(flag, regex=False).astype(bool)
    for flag in ("cases-decrease", "cases-gap", "cases-backlog")
}
expected = {
    "cases-decrease": cases < 0,
    "cases-gap": (cases == 0) & (before >= 10),
    "cases-backlog": (cases >= 50) & (cases >= 5 * before),
}
for flag, rule in expected.items():
    print(f"{flag}: {has[flag].sum():,} days flagged, {rule.sum():,} by the rule")
    assert has[flag].equals(rule.astype(bool)), flag

# %% [markdown]
# ## On a chart
#
# Spain in the summer of 2021: no report on Saturdays and Sundays (grey), the weekend's cases
# on Monday. The 7-day mean (what epicurves' incidence and R rest on) does not see the gaps,
# as every 7-day window holds one weekend.

# %%
spain = metrics[
    (metrics["region_id"] == "ES") & metrics["date"].between("2021-05-01", "2021-08-31")
]
fig = figure(
    title="Spain, daily cases, summer 2021 (JHU)",
    x_axis_type="datetime",
    height=340,
    sizing_mode="stretch_width",
    tools="pan,wheel_zoom,box_zoom,reset,hover",
    tooltips=[("date", "@date{%F}"), ("cases", "@new_cases"), ("flags", "@flags")],
)
fig.hover.formatters = {"@date": "datetime"}
fig.vbar(
    "date",
    top="new_cases",
    width=86_400_000 * 0.8,
    source=spain,
    alpha=0.4,
    legend_label="daily cases",
)
fig.line(
    "date",
    "new_cases_7d_mean",
    source=spain,
    line_width=2,
    color="black",
    legend_label="7-day mean",
)
kinds = {"cases-gap": "grey", "cases-backlog": "orange", "cases-decrease": "red"}
for flag, colour in kinds.items():
    days = spain[spain["flags"].str.contains(flag, regex=False)]
    if len(days):
        fig.scatter(
            "date", "new_cases", source=days, size=9, color=colour, legend_label=flag
        )
fig.legend.location = "top_left"
show(fig)

# %%
spain_gaps = spain["flags"].str.contains("cases-gap", regex=False)
print(
    f"Spain, May to August 2021: {spain_gaps.sum()} gap days, on {sorted(set(spain.loc[spain_gaps, 'date'].dt.day_name()))}"
)
assert set(spain.loc[spain_gaps, "date"].dt.day_name()) == {"Saturday", "Sunday"}
