"""Recipe: OSCOVIDA's overview() and compare_plot() done with epicurves, and a table of equivalents."""

# %% [markdown]
# # Coming from OSCOVIDA
#
# OSCOVIDA's notebooks called `overview(country=..., region=...)` for six stacked panels of a
# region (7-day incidence, daily cases, daily deaths, R and growth factor from cases and from
# deaths, doubling time) and `compare_plot(...)` for a region against its peers. Here is the
# same with epicurves: `epicurves.plot_region` draws the six panels and a comparison,
# interactively (hover, zoom, log/linear), from the tidy tables of `load_metrics`, and a few
# lines of Bokeh draw OSCOVIDA's comparison. A table at the end maps OSCOVIDA's calls to
# epicurves'.
#
# What differs: region ids instead of names (a name lookup is shown below); RKI's own data
# for Germany and its states (OSCOVIDA's Germany page was JHU's, which disagreed with RKI:
# oscovida #304); no padding of series to "yesterday" and no window from the wall clock, so a
# notebook gives the same numbers whenever it runs; the formulas of each metric documented,
# with trailing 7-day windows where officials use them.

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import bokeh.resources
import numpy as np
import pandas as pd
from bokeh.io import output_notebook, show
from bokeh.layouts import column
from bokeh.palettes import Category10
from bokeh.plotting import figure

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## Names to region ids
#
# OSCOVIDA took names (`country="Germany", region="Hamburg", subregion="LK Pinneberg"`);
# epicurves takes ids, and `load_regions` finds them by name (its `name` column holds
# English names; JHU's spellings such as `Korea, South` are aliases of the display name,
# `South Korea`).

# %%
regions = epicurves.load_regions(settings=settings)
regions[regions["name"].str.contains("Hamburg|Pinneberg|South Korea", regex=True)]


# %%
def with_names(ids: list[str]) -> pd.DataFrame:
    """Metrics of the regions, with the name and population that label and scale charts."""
    metrics = epicurves.load_metrics(ids, settings=settings)
    return metrics.merge(
        regions[["region_id", "source", "name", "population"]],
        on=["region_id", "source"],
    )


# %% [markdown]
# ## `overview(country="Germany")`
#
# The six panels and, at the bottom, the 7-day incidence of Germany beside the countries
# OSCOVIDA compared it with. Germany's data go on to today while JHU's countries end in
# March 2023, so the whole time is shown (`window=None`; the default is the last 365 days,
# OSCOVIDA's `weeks=5` is `window=35`).

# %%
germany = with_names(["DE"])
peers = with_names(
    ["AU", "PL", "KR", "BY", "CH", "US"]
)  # OSCOVIDA's peers of a country
show(epicurves.plot_region(germany, peers=peers, window=None))

# %% [markdown]
# ## `overview(country="Germany", subregion="LK Pinneberg")`
#
# A district, with the seven Länder OSCOVIDA compared districts with, on a log axis; the last
# 365 days of its data (the district table OSCOVIDA used ends in May 2022; RKI's district
# file, where your store has it, runs to this week).

# %%
pinneberg = with_names(["DE-01056"])
laender = with_names(["DE-BY", "DE-BE", "DE-HB", "DE-HH", "DE-HE", "DE-NW", "DE-ST"])
show(epicurves.plot_region(pinneberg, peers=laender, scale="log"))

# %% [markdown]
# OSCOVIDA's incidence panel, `cases.diff().rolling(7).sum() / habitants * 100000`, and its
# tables' "new cases last week", `c[-1] - c[-8]`, are epicurves' `incidence_7d` and
# `new_cases_7d_sum` (epicurves has one day more: the first day's count is its cases from
# zero, where `diff()` gives nothing):

# %%
one = pinneberg.set_index("date")
oscovida_incidence = (
    one["cases"].astype(float).diff().rolling(7).sum()
    / one["population"].astype(float)
    * 100_000
)
known = oscovida_incidence.notna()
assert np.allclose(
    oscovida_incidence[known], one.loc[known, "incidence_7d"], rtol=1e-12
)
last_week = one["cases"].iloc[-1] - one["cases"].iloc[-8]
assert last_week == one["new_cases_7d_sum"].iloc[-1]
print(
    f"LK Pinneberg on {one.index[-1]:%Y-%m-%d}: {last_week:,} new cases last week, incidence {one['incidence_7d'].iloc[-1]:.1f}"
)

# %% [markdown]
# ## `compare_plot(country="Germany")`
#
# OSCOVIDA's comparison: daily new cases and deaths per 100 000, as a centred 7-day mean, on
# a log axis. With epicurves the centred mean is the column `new_cases_7d_mean_centred` (it
# reads 3 days ahead, so it ends 3 days before the data; the trailing `new_cases_7d_mean` is
# what officials publish); per 100 000 divides by the population.

# %%
compared = pd.concat([germany, peers])
compared = compared[compared["date"].between("2020-03-15", "2023-03-09")]
panels = []
for kind in ("cases", "deaths"):
    fig = figure(
        title=f"daily new {kind} per 100 000 (centred 7-day mean)",
        x_axis_type="datetime",
        y_axis_type="log",
        height=300,
        sizing_mode="stretch_width",
    )
    if panels:
        fig.x_range = panels[0].x_range  # pan and zoom both together
    for number, (name, rows) in enumerate(compared.groupby("name", sort=False)):
        colour = Category10[10][number % 10]
        per_100k = rows[f"new_{kind}_7d_mean_centred"] / rows["population"] * 100_000
        fig.line(
            rows["date"],
            per_100k.where(per_100k > 0),
            color=colour,
            legend_label=name,
            line_width=2,
        )
    fig.legend.location = "bottom_left"
    fig.legend.click_policy = "hide"
    panels.append(fig)
show(column(panels, sizing_mode="stretch_width"))

# %% [markdown]
# ## Germany, three ways
#
# OSCOVIDA's Germany page used JHU's series, which disagreed with RKI's (oscovida #304).
# epicurves shows RKI's for Germany and keeps the others: `all_sources=True` gives every
# source's series of a region.

# %%
everyone = epicurves.load_metrics(["DE"], all_sources=True, settings=settings)
on_days = everyone[
    everyone["date"].isin(pd.to_datetime(["2021-12-01", "2022-03-15", "2022-05-16"]))
]
on_days.pivot(index="date", columns="source", values="incidence_7d").round(1)

# %% [markdown]
# ## OSCOVIDA's calls in epicurves
#
# | OSCOVIDA | epicurves |
# |---|---|
# | `overview(country="Germany")` | `epicurves.plot_region(epicurves.load_metrics(["DE"]), peers=...)` |
# | `overview(country="Germany", region="Hamburg")` | `plot_region(load_metrics(["DE-HH"]))` |
# | `overview(country="Germany", subregion="LK Pinneberg")` | `plot_region(load_metrics(["DE-01056"]))` |
# | `overview(country="US", region="New York")` | `plot_region(load_metrics(["US-NY"]))` |
# | `overview(..., weeks=5)` | `plot_region(..., window=35)` |
# | `overview(..., dates="2020-03-15:2020-12-31")` | `load_metrics(ids, start="2020-03-15", end="2020-12-31")` |
# | `compare_plot(country="Germany")` | the last panel of `plot_region(..., peers=load_metrics([...]))`, or the Bokeh cell above |
# | `get_country_data("Germany")` | `load_observations(["DE"])`: `cases`, `deaths`, `new_cases`, `new_deaths` |
# | `fetch_data_germany()` | `load_observations(load_regions(kind="district")["region_id"])` |
# | `plot_incidence_rate(...)` | `incidence_7d` (`load_metrics`), `epicurves.incidence_7d(daily, population)` |
# | `compute_daily_change(...)` | `new_cases`, `new_cases_7d_mean` (trailing), `new_cases_7d_mean_centred` |
# | `compute_R(...)` | `r_rki` (RKI's method on 7-day sums, as RKI dates it; OSCOVIDA centred it), `r_cori` (Cori et al.) |
# | `compute_growth_factor(...)` | `growth_factor_7d`: week on week, not day on day of a smoothed series |
# | `compute_doubling_time(...)` | `doubling_time_days` (from 7-day sums), `epicurves.doubling_time` |
# | `get_cases_last_week(cases)` | `new_cases_7d_sum` on the last day |
# | `compose_dataframe_summary(cases, deaths)` | `load_observations(["DE"])[["date", "cases", "new_cases", "deaths", "new_deaths"]]` |
# | the index and incidence tables | `epicurves.load_summary(kind="country")` |
# | `pad_cumulative_series_to_yesterday(...)` | not needed: series end on their last data |
