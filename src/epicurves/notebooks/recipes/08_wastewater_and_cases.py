"""Recipe: RKI's wastewater signal beside the reported cases, and what testing no longer sees."""

# %% [markdown]
# # Wastewater and reported cases
#
# Since 2022 RKI measures SARS-CoV-2 (and influenza and RSV) in the wastewater of treatment
# plants across Germany (AMELAG). Unlike reported cases, the viral load does not depend on
# who gets tested. This recipe loads Germany's surveillance signals, draws the charts of
# its page, reads the latest trends, and sets the wastewater beside the reported 7-day
# incidence: the two rise and fall together, but the cases reported per unit of viral load
# fell about fortyfold from 2022 to 2024, as testing declined.
#
# The wastewater value is the week's viral load in genome copies per litre, a population-
# weighted mean over the plants (`measured`; `normalised` by flow) and RKI's smoothed curve
# with its 95 % band (`smoothed`, on which RKI judges trends). Weeks are dated by their
# Wednesday; recent weeks change with late deliveries.

# %%
import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so

# %%
import bokeh.resources
import numpy as np
import pandas as pd
from bokeh.io import output_notebook, show
from bokeh.models import LogAxis, Range1d
from bokeh.plotting import figure

output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)

# %% [markdown]
# ## Germany's signals, as on its page
#
# `load_signals` gives one row per value; `plot_signals` draws the page's surveillance charts
# (wastewater of one pathogen, hospitalisations, weekly deaths, SARI).

# %%
signals = epicurves.load_signals(["DE"], settings=settings)
signals.groupby(["signal", "estimate"]).agg(
    values=("value", "size"), first=("date", "min"), last=("date", "max")
)

# %%
show(epicurves.plot_signals(signals, pathogen="SARS-CoV-2", scale="log"))

# %% [markdown]
# ## The latest trends
#
# `signal_trends` gives each series' latest value, its change against the week before,
# $(v_t / v_{t-7\,\mathrm{days}} - 1) \times 100$, and the trend: `rising` above +10 %,
# `falling` below -10 %, else `stable`, judged on the smoothed curve for wastewater.

# %%
trends = epicurves.signal_trends(signals)
wastewater = trends[trends["signal"] == "wastewater"].set_index("pathogen")
rule = np.select(
    [wastewater["week_change_pct"] > 10, wastewater["week_change_pct"] < -10],
    ["rising", "falling"],
    "stable",
)
assert (wastewater["trend"] == rule).all()
wastewater[["date", "estimate", "value", "previous", "week_change_pct", "trend"]].round(
    {"value": 1, "previous": 1, "week_change_pct": 1}
)

# %% [markdown]
# ## Wastewater beside the reported cases
#
# The weekly smoothed SARS-CoV-2 load against the 7-day incidence of the cases reported in
# the sampling week (the 7 days ending on its Sunday), both on log axes.

# %%
load = signals[
    (signals["signal"] == "wastewater")
    & (signals["pathogen"] == "SARS-CoV-2")
    & (signals["estimate"] == "smoothed")
].set_index("date")["value"]
cases = epicurves.load_metrics(["DE"], settings=settings).set_index("date")[
    "incidence_7d"
]
weekly = pd.DataFrame(
    {
        "wastewater": load,
        "incidence": cases.reindex(load.index + pd.Timedelta(days=4)).to_numpy(),
    }
).dropna()

fig = figure(
    title="Germany: SARS-CoV-2 in wastewater (smoothed) and the reported 7-day incidence",
    x_axis_type="datetime",
    y_axis_type="log",
    height=340,
    sizing_mode="stretch_width",
    y_range=(weekly["wastewater"].min() / 2, weekly["wastewater"].max() * 2),
)
fig.yaxis.axis_label = "genome copies per litre"
fig.line(weekly.index, weekly["wastewater"], line_width=2, legend_label="wastewater")
fig.extra_y_ranges = {
    "incidence": Range1d(weekly["incidence"].min() / 2, weekly["incidence"].max() * 2)
}
fig.extra_y_scales = {"incidence": fig.y_scale.clone()}
fig.add_layout(
    LogAxis(y_range_name="incidence", axis_label="cases per 100 000 in 7 days"), "right"
)
fig.line(
    weekly.index,
    weekly["incidence"],
    y_range_name="incidence",
    color="firebrick",
    line_width=2,
    legend_label="7-day incidence",
)
fig.legend.location = "bottom_left"
show(fig)

# %% [markdown]
# Year by year: how closely the two move together (correlation of their logarithms), and the
# cases reported per 1 000 genome copies per litre of wastewater:

# %%
by_year = weekly.groupby(weekly.index.year)
years = pd.DataFrame(
    {
        "weeks": by_year.size(),
        "correlation of logs": by_year.apply(
            lambda rows: np.corrcoef(
                np.log(rows["wastewater"]), np.log(rows["incidence"])
            )[0, 1]
        ),
        "incidence per 1000 copies/L": by_year.apply(
            lambda rows: (rows["incidence"] / rows["wastewater"] * 1000).median()
        ),
    }
)
fell = (
    years.loc[2022, "incidence per 1000 copies/L"]
    / years.loc[2024, "incidence per 1000 copies/L"]
)
print(
    f"cases reported per unit of viral load, 2022 against 2024: {fell:.0f} times as many"
)
assert fell > 10
years.round(2)

# %% [markdown]
# In 2022 many people still had themselves tested, and positive tests were reported; as
# testing declined (free citizens' tests ended in early 2023), the reported cases became a
# small fraction of the infections the wastewater shows. The shape of the waves
# still agrees, so reported cases keep showing *when* a wave comes, but no longer *how big*
# it is.
