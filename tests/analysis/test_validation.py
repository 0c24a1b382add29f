"""epicurves against the figures RKI publishes: 7-day incidence and the 7-day R value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import epicurves

pytestmark = pytest.mark.realdata


def _by_day(frame: pd.DataFrame, column: str) -> pd.Series:
    series = frame.set_index(pd.DatetimeIndex(frame[column]))
    return series.drop(columns=column)


def test_incidence_reproduces_rki_on_every_day_and_age_group(shared_data: Path) -> None:
    raw = pd.read_csv(
        shared_data / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv.gz"
    )
    groups = raw.groupby("Altersgruppe")
    assert len(groups) == 7
    compared = 0
    for age, rows in groups:
        rows = _by_day(rows.sort_values("Meldedatum"), "Meldedatum")
        # Daily cases by reporting date: the day-to-day differences of Faelle_gesamt.
        daily = rows["Faelle_gesamt"].diff().fillna(rows["Faelle_gesamt"].iloc[0])
        population = rows["Bevoelkerung"]
        assert population.nunique() == 1, f"{age}: one population for the whole series"
        incidence = epicurves.incidence_7d(daily, population.iloc[0])
        full = incidence.notna()
        # The first six days have no full 7-day window: epicurves gives NaN, RKI writes 0.
        assert (~full).sum() == 6
        assert (
            rows.loc[~full, "Faelle_7-Tage"].to_numpy()
            <= rows["Faelle_gesamt"].iloc[:6].to_numpy()
        ).all()
        sums = daily.rolling(7).sum()
        assert (sums[full] == rows.loc[full, "Faelle_7-Tage"]).all(), age
        # RKI publishes the incidence rounded to one decimal.
        assert (incidence[full].round(1) == rows.loc[full, "Inzidenz_7-Tage"]).all(), (
            age
        )
        compared += int(full.sum())
    assert compared == 7 * (2424 - 6)


def test_r_rki_reproduces_the_published_7_day_r(shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "rki" / "Nowcast_R_aktuell.csv.gz")
    rows = _by_day(raw, "Datum")
    published = rows["PS_7_Tage_R_Wert"]
    ours = epicurves.r_rki(rows["PS_COVID_Faelle"].astype(float))
    days = published.notna()
    assert days.sum() == 1198
    close = (ours[days].round(2) - published[days]).abs() <= 0.01 + 1e-9
    share = close.mean()
    # RKI's first estimates (2020-03-06 ...) used windows before its data start; we do not.
    assert share >= 0.99, f"{share:.2%} of {days.sum()} days within 0.01"
    both = days & ours.notna()
    assert both.sum() == 1193  # all but RKI's first five days
    assert np.allclose(ours[both].round(2), published[both], atol=0.01 + 1e-9)
    exact = (ours[both].round(2) - published[both]).abs() < 1e-9
    assert (
        exact.mean() >= 0.99
    )  # equal after rounding to two decimals, as RKI publishes
