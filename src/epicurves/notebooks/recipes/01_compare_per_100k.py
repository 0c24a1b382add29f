"""Recipe: compare countries, states and districts by their 7-day incidence per 100 000."""

# %% [markdown]
# # Compare regions per 100 000
#
# Countries, US states and German districts on one chart and in one table, by their 7-day
# incidence per 100 000 inhabitants: the one number that makes a city of a million and a
# country of 300 million comparable.
#
# **Why per capita.** A region with ten times the people has about ten times the cases at the
# same level of spread, so raw counts rank regions by size. Dividing by the population
# removes that: the 7-day incidence is
#
# $$\mathrm{Inz7}_t = \frac{N_t + N_{t-1} + \dots + N_{t-6}}{P} \times 100\,000,$$
#
# with $N_t$ the cases reported on day $t$ and $P$ the population: what RKI publishes for
# Germany, and what epicurves computes for every region (`incidence_7d`).

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import bokeh.resources
import numpy as np
import pandas as pd
from bokeh.io import output_notebook, show
from bokeh.palettes import Category10
from bokeh.plotting import figure

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## The regions
#
# Region ids are ISO codes (`DE`, `US-CA`) and, for German districts, `DE-` and the district
# key (`DE-09162` is Munich). `epicurves.load_regions()` lists them all with their population
# and the source shown for each.

# %%
ids = ["DE", "FR", "IT", "KR", "US", "US-CA", "US-NY", "DE-BY", "DE-09162", "DE-11000"]
regions = epicurves.load_regions(settings=settings).set_index("region_id").loc[ids]
regions[["name", "kind", "population", "source"]]

# %%
metrics = epicurves.load_metrics(ids, start="2020-03-01", settings=settings)
metrics[["region_id", "date", "new_cases", "new_cases_7d_sum", "incidence_7d"]].tail()

# %% [markdown]
# The incidence is the 7-day sum over the population, times 100 000; checked here on every
# row (a day whose 7-day window holds a missing day has no incidence, in both):

# %%
population = metrics["region_id"].map(regions["population"]).astype(float)
recomputed = metrics["new_cases_7d_sum"] / population * 100_000
assert np.allclose(recomputed, metrics["incidence_7d"], rtol=1e-12, equal_nan=True)
print(f"{metrics['incidence_7d'].notna().sum():,} incidences checked")

# %% [markdown]
# ## The chart
#
# Hover a line for its numbers; drag to pan, scroll to zoom. A linear axis shows the size of
# the waves; `y_axis_type="log"` shows how fast they grew (equal slopes, equal growth rates).
# The chart opens on the years all regions have data; pan right for Germany's later ones.
# France's dip below zero in May 2021 is a correction of earlier counts (see the recipe
# `reporting-anomalies`).

# %%
fig = figure(
    title="7-day incidence per 100 000",
    x_axis_type="datetime",
    y_axis_type="linear",
    x_range=(pd.Timestamp("2020-03-01"), pd.Timestamp("2023-04-01")),
    height=420,
    sizing_mode="stretch_width",
    tools="pan,wheel_zoom,box_zoom,reset,hover,save",
    tooltips=[
        ("region", "@name"),
        ("date", "@date{%F}"),
        ("incidence", "@incidence_7d{0.0}"),
    ],
)
fig.hover.formatters = {"@date": "datetime"}
for number, (region, rows) in enumerate(metrics.groupby("region_id", sort=False)):
    colour = Category10[10][number % 10]
    name = regions.loc[region, "name"]
    data = rows[["date", "incidence_7d"]].assign(name=name)
    fig.line(
        "date",
        "incidence_7d",
        source=data,
        color=colour,
        legend_label=name,
        line_width=2,
    )
fig.legend.location = "top_left"
fig.legend.click_policy = "hide"
show(fig)

# %% [markdown]
# ## The latest values
#
# The sources end on different days: JHU (countries) stopped on 2023-03-10, the New York
# Times (US states) on 2023-03-23, the district table OSCOVIDA used in May 2022, while RKI
# (Germany, and its districts where RKI's district file is in your store) still publishes. So the table gives each region's own latest value with its date,
# and the values on the last day all regions have in common.

# %%
last = metrics.groupby("region_id")["date"].max()
common = last.min()
on_common = metrics[metrics["date"] == common].set_index("region_id")
latest = metrics.loc[metrics.groupby("region_id")["date"].idxmax()].set_index(
    "region_id"
)
table = pd.DataFrame(
    {
        "name": regions["name"],
        "population": regions["population"],
        f"cases in 7 days to {common:%Y-%m-%d}": on_common["new_cases_7d_sum"].astype(
            "Int64"
        ),
        f"incidence on {common:%Y-%m-%d}": on_common["incidence_7d"].round(1),
        "latest date": latest["date"].dt.strftime("%Y-%m-%d"),
        "latest incidence": latest["incidence_7d"].round(1),
    }
).loc[ids]
table.sort_values(f"incidence on {common:%Y-%m-%d}", ascending=False)

# %% [markdown]
# Ranked by cases, the largest region comes first; ranked by incidence, the order is another:

# %%
by_count = on_common["new_cases_7d_sum"].sort_values(ascending=False)
by_incidence = on_common["incidence_7d"].sort_values(ascending=False)
print(f"common date: {common:%Y-%m-%d}")
print("most cases in 7 days:", by_count.index[0], f"({by_count.iloc[0]:,.0f})")
print(
    "highest incidence:",
    by_incidence.index[0],
    f"({by_incidence.iloc[0]:.1f} per 100k)",
)
print("US rank by cases:", list(by_count.index).index("US") + 1, "of", len(ids))
print("US rank by incidence:", list(by_incidence.index).index("US") + 1, "of", len(ids))
