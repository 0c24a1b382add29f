"""Signals in the core: the tidy table's rules, the store's third table, change sets, trends."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

import epicurves
from conftest import SIGNAL_SOURCES
from epicurves import (
    SIGNAL_EXPORT_COLUMNS,
    Settings,
    Signal,
    ValidationError,
    signal_changes,
    signal_trends,
)
from epicurves.analysis import TREND_THRESHOLD_PCT, incidence_per_100k
from epicurves.changes import diff, region_states
from epicurves.cli import cli
from epicurves.model import (
    SIGNAL_COLUMNS,
    empty_observations,
    empty_regions,
    tidy_signals,
)
from epicurves.rules import validate_signals
from epicurves.store import SourceMeta, Store, signal_digests

DECLARED = (
    Signal(
        "sari",
        "SARI",
        "per 100,000 per week",
        "week",
        ("SARS-CoV-2",),
        ("measured",),
        "severe acute respiratory infections",
    ),
    Signal(
        "hospitalisation",
        "Hospitalisation",
        "per 100,000 in 7 days",
        "day",
        ("SARS-CoV-2",),
        ("fixed", "updated", "nowcast"),
        "7-day hospitalisation incidence",
    ),
)


def raw(
    values: list[float | None],
    *,
    region: str = "DE",
    signal: str = "sari",
    estimate: str = "measured",
    start: str = "2024-01-01",
    step: int = 7,
    lo: list[float | None] | None = None,
    hi: list[float | None] | None = None,
) -> pd.DataFrame:
    """A parser's rows of one series."""
    dates = pd.date_range(start, periods=len(values), freq=f"{step}D")
    frame = pd.DataFrame(
        {
            "region_id": region,
            "signal": signal,
            "pathogen": "SARS-CoV-2",
            "age_group": "00+",
            "estimate": estimate,
            "date": dates,
            "value": pd.array(values, dtype="Float64").astype("float64"),
        }
    )
    if lo is not None:
        frame["lo"] = np.array(lo, dtype="float64")
        frame["hi"] = np.array(hi, dtype="float64")
    return frame


def tidy(*frames: pd.DataFrame) -> pd.DataFrame:
    return tidy_signals(pd.concat(frames, ignore_index=True), "test", DECLARED)


def test_tidy_signals_take_unit_and_resolution_from_the_declaration() -> None:
    frame = tidy(
        raw([1.0, None, 3.0]),
        raw([5.0], signal="hospitalisation", estimate="fixed", step=1),
    )
    assert list(frame.columns) == list(SIGNAL_COLUMNS)
    assert frame.dtypes.astype(str).to_dict() == {
        c: ("string" if t == "string" else t) for c, t in SIGNAL_COLUMNS.items()
    }
    assert len(frame) == 3  # the row without a value is not stored
    sari = frame[frame["signal"] == "sari"]
    assert set(sari["unit"]) == {"per 100,000 per week"}
    assert set(sari["resolution"]) == {"week"}
    assert frame["lo"].isna().all()
    validate_signals(frame, "test", DECLARED)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: f.assign(signal="wastewater"),
            "signal 'wastewater' is not declared",
        ),
        (lambda f: f.assign(estimate="nowcast"), "unexpected estimate 'nowcast'"),
        (lambda f: f.assign(pathogen="RSV A"), "unexpected pathogen 'RSV A'"),
        (lambda f: f.assign(region_id="../x"), "unsafe region id"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "duplicate value of signal sari"),
        (
            lambda f: f.assign(value=[1.0, -2.0, 3.0]),
            "value -2.0: expected a finite number >= 0",
        ),
        (lambda f: f.assign(value=[1.0, np.inf, 3.0]), "value inf"),
        (
            lambda f: f.assign(
                date=pd.Timestamp.now().normalize() + pd.Timedelta(days=30)
            ),
            "is in the future",
        ),
        (
            lambda f: f.assign(lo=[0.5, 2.5, 2.0], hi=[2.0, 3.0, 4.0]),
            "value 2.0 outside its interval [2.5, 3.0]",
        ),
    ],
)
def test_validate_signals_refuses_with_one_line(change, message: str) -> None:  # type: ignore[no-untyped-def]
    frame = tidy_signals(change(raw([1.0, 2.0, 3.0])), "test", DECLARED)
    with pytest.raises(ValidationError) as caught:
        validate_signals(frame, "test", DECLARED)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert text.startswith("test")


def test_an_interval_is_kept_and_checked() -> None:
    frame = tidy(
        raw(
            [4.0, 5.0],
            signal="hospitalisation",
            estimate="nowcast",
            step=1,
            lo=[3.0, None],
            hi=[6.0, None],
        )
    )
    validate_signals(frame, "test", DECLARED)
    assert frame["lo"].tolist()[0] == 3.0
    assert np.isnan(frame["hi"].tolist()[1])


def meta(name: str, signals: pd.DataFrame) -> SourceMeta:
    return SourceMeta(
        source=name,
        files={"f.csv": {"url": "u", "sha256": "x", "retrieved_at": "t"}},
        updated_at="2024-01-01T00:00:00+00:00",
        first_date=str(signals["date"].min().date()),
        vintage=str(signals["date"].max().date()),
        rows=len(signals),
        regions=int(signals["region_id"].nunique()),
        signals={"sari": {"first_date": "", "vintage": "", "rows": 0, "regions": 0}},
    )


def test_the_store_keeps_signals_as_a_third_table(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    signals = tidy(raw([1.0, 2.0]), raw([3.0], region="DE-BY"))
    store.write(meta("test", signals), empty_observations(), empty_regions(), signals)
    with store.snapshot() as snapshot:
        back = snapshot.load_signals()
        assert snapshot.signal_digests() == {"test": signal_digests(signals)}
        assert snapshot.files("observations") and not snapshot.load_observations().size
        only = snapshot.load_signals(regions=["DE-BY"], signals=["sari"])
    pd.testing.assert_frame_equal(back, signals)
    assert only["value"].tolist() == [3.0]
    assert len(list((tmp_path / "store").glob("*.signals.parquet"))) == 1
    # a new version replaces the table; the old file goes with its generation
    store.write(
        meta("test", signals), empty_observations(), empty_regions(), signals.iloc[:2]
    )
    assert len(list((tmp_path / "store").glob("*.signals.parquet"))) == 1
    # sources without signals have no signals table, and reading them gives none
    assert store.load_observations().empty


def test_signal_digests_change_with_any_value_or_label() -> None:
    base = tidy(raw([1.0, 2.0]), raw([3.0], region="DE-BY"))
    digests = signal_digests(base)
    assert set(digests) == {"DE", "DE-BY"}
    assert signal_digests(base.copy()) == digests
    revised = base.copy()
    revised.loc[1, "value"] = 2.5
    assert signal_digests(revised)["DE"] != digests["DE"]
    assert signal_digests(revised)["DE-BY"] == digests["DE-BY"]
    # any NaN, and -0.0, hash as the missing value and 0.0
    odd = base.copy()
    odd["lo"] = np.array([np.float64("-nan"), np.nan, np.nan])
    odd.loc[0, "value"] = -0.0 if odd.loc[0, "value"] == 0 else odd.loc[0, "value"]
    assert signal_digests(odd) == digests
    zero, negative_zero = base.copy(), base.copy()
    zero.loc[0, "value"], negative_zero.loc[0, "value"] = 0.0, -0.0
    assert signal_digests(zero) == signal_digests(negative_zero)
    relabelled = base.copy()
    relabelled.loc[0, "age_group"] = "80+"
    assert signal_digests(relabelled)["DE"] != digests["DE"]
    # a region's digest does not depend on the labels of the regions before it
    assert signal_digests(relabelled)["DE-BY"] == digests["DE-BY"]


def test_a_signal_change_is_a_data_change_of_its_region() -> None:
    regions = pd.DataFrame(
        {
            "region_id": ["DE", "DE-BY"],
            "name": ["Germany", "Bavaria"],
            "kind": ["country", "state"],
            "parent": [None, "DE"],
            "population": [84_000_000, 13_000_000],
            "source": "rki",
        }
    )
    digests = {"rki": {"DE": "a", "DE-BY": "b"}}
    before = region_states(regions, digests, ["rki"], {"w": {"DE": "1"}})
    after = region_states(
        regions, digests, ["rki"], {"w": {"DE": "2"}, "h": {"DE-BY": "3"}}
    )
    assert before["DE-BY"].signals == ""
    changes = diff(before, after)
    assert changes.regions == {"DE": {"signals"}, "DE-BY": {"signals"}}
    assert changes.data == {"DE", "DE-BY"}
    assert not diff(
        after,
        region_states(
            regions, digests, ["rki"], {"h": {"DE-BY": "3"}, "w": {"DE": "2"}}
        ),
    )


def test_week_on_week_change_and_trend_follow_the_documented_rule() -> None:
    assert TREND_THRESHOLD_PCT == 10.0
    values = [10.0, 10.9, 13.0, 5.0, 0.0, 0.0, 1.0, None, 4.0]
    frame = signal_changes(tidy(raw(values)))
    assert frame["trend"].tolist() == [
        "",
        "stable",
        "rising",
        "falling",
        "falling",
        "stable",
        "rising",
        "",
    ]
    assert frame["week_change_pct"].tolist()[1] == pytest.approx(9.0)
    assert np.isnan(frame["week_change_pct"].tolist()[5])  # from 0: no percentage
    # daily series compare with 7 days before, not with the day before
    daily = signal_changes(
        tidy(
            raw([1.0] * 7 + [2.0], signal="hospitalisation", estimate="updated", step=1)
        )
    )
    assert daily["trend"].tolist() == [""] * 7 + ["rising"]


def test_counts_of_people_need_enough_for_a_trend() -> None:
    from epicurves.analysis.signals import MIN_TREND_COUNT

    deaths = Signal(
        "deaths-weekly", "Deaths", "deaths per week", "week", ("SARS-CoV-2",),
        ("measured",), "weekly deaths",
    )  # fmt: skip
    low = MIN_TREND_COUNT - 1
    frame = tidy_signals(
        raw([2.0, 1.0, float(low), 2.0 * low, 5.0], signal="deaths-weekly"),
        "t",
        [deaths],
    )
    out = signal_changes(frame)
    assert out["trend"].tolist() == ["", "", "", "rising", "falling"]
    assert out["week_change_pct"].tolist()[1] == -50.0  # the change is still given


def test_a_rate_needs_enough_persons_behind_it_for_a_trend() -> None:
    cases = Signal(
        "hospitalisation-cases", "H", "persons in 7 days", "day", ("SARS-CoV-2",),
        ("nowcast",), "persons",
    )  # fmt: skip
    rate = Signal(
        "hospitalisation", "H", "per 100,000 in 7 days", "day", ("SARS-CoV-2",),
        ("nowcast",), "rate",
    )  # fmt: skip
    frame = tidy_signals(
        pd.concat(
            [
                raw(
                    [0.01, 0.02, 0.02, 0.03, 0.05],
                    signal="hospitalisation",
                    estimate="nowcast",
                ),
                raw(
                    [5.0, 8.0, 8.0, 25.0, 39.0],
                    signal="hospitalisation-cases",
                    estimate="nowcast",
                ),
                raw(
                    [0.03, 0.05],
                    signal="hospitalisation",
                    estimate="nowcast",
                    region="DE-BY",
                ),
            ]
        ),
        "t",
        [cases, rate],
    )
    out = signal_changes(frame).set_index(["region_id", "signal"])
    rates = out.loc[("DE", "hospitalisation")]
    assert rates["trend"].tolist() == ["", "", "", "rising", "rising"]
    # the change of the persons (+56 %), not of the rounded rate (+67 %); previous: the rate's
    assert rates["week_change_pct"].round(1).tolist()[-1] == 56.0
    assert rates["previous"].tolist()[-1] == 0.03
    persons = out.loc[("DE", "hospitalisation-cases"), "trend"].tolist()
    assert persons == ["", "", "", "rising", "rising"]
    # a rate without its counts in the table is judged on the rate alone
    assert out.loc[("DE-BY", "hospitalisation"), "trend"].tolist() == ["", "rising"]


def test_the_trend_is_judged_on_the_preferred_estimate() -> None:
    frame = tidy(
        raw([10.0, 20.0], signal="hospitalisation", estimate="fixed", step=7),
        raw([10.0, 10.5], signal="hospitalisation", estimate="nowcast", step=7),
        raw([10.0, 5.0], signal="hospitalisation", estimate="updated", step=7),
        raw([3.0, 3.0]),
    )
    trends = signal_trends(frame)
    assert trends[["signal", "estimate", "trend"]].values.tolist() == [
        ["hospitalisation", "nowcast", "stable"],
        ["sari", "measured", "stable"],
    ]
    row = trends.iloc[0]
    assert (row["date"] - row["previous_date"]).days == 7
    assert row["previous"] == 10.0


def test_incidence_per_100k_rounds_as_rki_publishes() -> None:
    out = incidence_per_100k(
        pd.Series([25, 0, 7, None]), pd.Series([84_358_845, 10, 0, 5])
    )
    assert out[0] == 0.03 and out[1] == 0.0
    assert np.isnan(out[2]) and np.isnan(out[3])
    assert incidence_per_100k([2675], [100_000_000]).tolist() == [
        2.68
    ]  # half away from zero


# -- through the pipeline, the API and the command line, on the fixture mirror ---------------

CONTRACT = (
    "region_id,name,signal,pathogen,resolution,date,value,lo,hi,unit,age_group,"
    "estimate,source,vintage,release"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def stored(settings: Settings) -> Settings:
    """The fixture mirror's RKI sources and every source of signals, stored."""
    report = epicurves.update(settings, ["rki", "rki-states", *SIGNAL_SOURCES])
    assert not report.failed, [s.message for s in report.failed]
    return settings


def test_every_signal_source_is_fetched_by_default_and_declares_its_signals() -> None:
    for name in SIGNAL_SOURCES:
        source = epicurves.get_source(name)
        assert source.default and source.signals
        for signal in source.signals:
            assert signal.description and signal.caveats and signal.unit


def test_the_frozen_nowcast_is_exported_but_not_in_germany_today(
    stored: Settings,
) -> None:
    """rki-nowcast ended in 2023: its signals are stored and exported, and the home page's
    "Germany today" leaves them off, as it does the 2020-22 hospitalisations."""
    import datetime as dt

    from epicurves.site.today import germany_today

    result = run("signals", "--region", "DE", "--signal", "r-7day")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(io.StringIO(result.stdout))
    assert len(rows) == 16 and set(rows["estimate"]) == {"nowcast"}
    assert set(rows["unit"]) == {"dimensionless"} and set(rows["vintage"]) == {
        "2021-03-11"
    }
    trends = signal_trends(epicurves.load_signals(["DE"], settings=stored))
    assert {"nowcast", "r-7day"} <= set(trends["signal"])
    today = germany_today(trends, dt.date(2021, 3, 13))
    shown = {r["signal"] for r in today}
    assert "sari" in shown and not shown & {"nowcast", "r-7day"}


def test_load_signals_gives_the_contract_columns(stored: Settings) -> None:
    frame = epicurves.load_signals(settings=stored)
    assert ",".join(frame.columns) == CONTRACT == ",".join(SIGNAL_EXPORT_COLUMNS)
    assert set(frame["source"]) == set(SIGNAL_SOURCES)
    assert set(frame["resolution"]) == {"day", "week"}
    assert frame["name"].notna().all()  # every region with signals is named
    meta = epicurves.Store(stored.store_dir).meta()
    for (source, signal), rows in frame.groupby(["source", "signal"]):
        assert set(rows["vintage"]) == {meta[source].signals[signal]["vintage"]}
        assert str(rows["date"].max().date()) == meta[source].signals[signal]["vintage"]
    only = epicurves.load_signals(["DE-BY"], ["deaths-weekly"], settings=stored)
    assert set(only["region_id"]) == {"DE-BY"} and set(only["signal"]) == {
        "deaths-weekly"
    }
    with pytest.raises(epicurves.UsageError, match="unknown signal 'nope'"):
        epicurves.load_signals(signals=["nope"], settings=stored)
    with pytest.raises(epicurves.UsageError, match="no signal for region 'FR'"):
        epicurves.load_signals(["FR"], settings=stored)


def test_the_signals_command_writes_csv_json_and_parquet(
    stored: Settings, tmp_path: Path
) -> None:
    result = run("signals", "--region", "DE", "--signal", "sari")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == CONTRACT
    assert all(line.startswith("DE,") and ",sari," in line for line in lines[1:])
    for fmt in ("json", "parquet"):
        out = tmp_path / f"signals.{fmt}"
        result = run("signals", "--out", str(out))
        assert result.exit_code == 0, result.output
        frame = pd.read_json(out) if fmt == "json" else pd.read_parquet(out)
        assert list(frame.columns) == CONTRACT.split(",")
        assert len(frame) == len(epicurves.load_signals(settings=stored))
    bad = CliRunner().invoke(cli, ["signals", "--signal", "nope"])
    assert bad.exit_code != 0
    assert bad.output.count("\n") == 1 and "unknown signal 'nope'" in bad.output


def test_info_lists_the_signals_with_their_vintages(stored: Settings) -> None:
    result = CliRunner().invoke(cli, ["info"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    meta = epicurves.Store(stored.store_dir).meta()
    for source in SIGNAL_SOURCES:
        for name, stored_signal in meta[source].signals.items():
            line = next(
                row
                for row in result.stdout.splitlines()
                if f" {name} " in row and source in row
            )
            assert stored_signal["vintage"] in line


def test_a_revised_signal_is_a_change_of_its_region_only(
    stored: Settings, mirror: Path
) -> None:
    sari = mirror / "rki" / "COVID-SARI-Hospitalisierungsinzidenz.tsv"
    lines = sari.read_text("utf-8").splitlines()
    head, *rows = lines
    last = rows[-1].split("\t")
    last[-1] = str(float(last[-1]) + 1)
    sari.write_text("\n".join([head, *rows[:-1], "\t".join(last)]) + "\n", "utf-8")
    names = ["rki", "rki-states", *SIGNAL_SOURCES]
    report = epicurves.update(stored, names)
    assert report.changed == ["rki-sari"]
    assert dict(report.changes.regions) == {"DE": frozenset({"signals"})}
    again = epicurves.update(stored, names)
    assert not again.changed and not again.changes


def test_a_broken_signal_file_keeps_the_last_good_signals(
    stored: Settings, mirror: Path
) -> None:
    before = epicurves.load_signals(settings=stored)
    path = mirror / "rki" / "amelag_aggregierte_kurve.tsv"
    path.write_text(path.read_text("utf-8").replace("\t8\t", "\t-8\t", 1), "utf-8")
    report = epicurves.update(stored, ["rki-wastewater"])
    (failed,) = report.failed
    assert "amelag_aggregierte_kurve.tsv" in failed.message
    assert "kept the last good data" in failed.message and "\n" not in failed.message
    pd.testing.assert_frame_equal(epicurves.load_signals(settings=stored), before)


def test_one_file_rolled_back_is_refused_though_the_other_is_current(
    stored: Settings, mirror: Path
) -> None:
    before = epicurves.load_signals(signals=["deaths-weekly"], settings=stored)
    ages = mirror / "rki" / "COVID-19-Todesfaelle_Altersgruppen.csv"
    head, *rows = ages.read_text("utf-8").splitlines()
    last_week = max(r.split(",")[0] for r in rows)
    kept = [r for r in rows if not r.startswith(last_week)]
    ages.write_text("\n".join([head, *kept]) + "\n", "utf-8")
    report = epicurves.update(stored, ["rki-deaths-weekly"])
    (failed,) = report.failed
    assert "signal deaths-weekly of DE ends on" in failed.message, failed.message
    assert "--force" in failed.message
    after = epicurves.load_signals(signals=["deaths-weekly"], settings=stored)
    pd.testing.assert_frame_equal(after, before)
    forced = epicurves.update(stored, ["rki-deaths-weekly"], force=True)
    assert forced.changed == ["rki-deaths-weekly"]


def test_any_region_of_a_signal_ending_earlier_is_refused() -> None:
    """Not only the region that ends first: DE-BY going back to the last date of DE-HB."""
    from epicurves.pipeline import _check_not_shrunk, _signal_summary

    def frame(ends: dict[str, str]) -> pd.DataFrame:
        parts = []
        for region, end in ends.items():
            dates = pd.date_range(end=end, periods=20, freq="7D")
            parts.append(
                raw([1.0] * len(dates), region=region, start=str(dates[0].date()))
            )
        return tidy(*parts)

    old = frame({"DE": "2026-08-10", "DE-BY": "2026-08-10", "DE-HB": "2026-08-03"})
    new = frame({"DE": "2026-08-10", "DE-BY": "2026-08-03", "DE-HB": "2026-08-03"})
    previous = meta("test", old)
    previous.signals = _signal_summary(old)
    previous.rows, previous.regions = len(old), 3
    with pytest.raises(
        ValidationError, match="signal sari of DE-BY ends on 2026-08-03"
    ):
        _check_not_shrunk(
            "test", previous, new["date"], len(new), 3, _signal_summary(new)
        )
    _check_not_shrunk("test", previous, old["date"], len(old), 3, _signal_summary(old))


def test_two_values_on_one_date_are_refused_in_one_line() -> None:
    frame = tidy(raw([1.0, 2.0]))
    with pytest.raises(
        ValueError, match="signal sari of DE has two values on 2024-01-01"
    ):
        signal_trends(pd.concat([frame, frame]))
    # the same signal from two sources is two series
    other = frame.assign(source="other")
    assert len(signal_trends(pd.concat([frame, other]))) == 2
