"""Forecasts, backtests and scores of a store made from the real upstream files: the
commands, the stored backtest redone only where the data changed, Dask, bad inputs."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from conftest import SHARED_DATA, shared_folder
from epicurves import Settings, update
from epicurves.cli import cli
from epicurves.forecast.runs import backtest, make_forecasts, scores
from epicurves.forecast.series import Series
from epicurves.forecast.summary import load_summary

pytestmark = pytest.mark.slow

#: The sources these tests store: CDC's two (with and without releases), RKI's national file
#: (live cases and deaths) and its hospitalisations (first-reported values).
SOURCES = ["cdc-covid", "cdc-flu", "rki", "rki-hospitalisation"]
COVID = "wk inc covid hosp"


def _store(folder: Path, mirror: Path) -> None:
    report = update(Settings(home=folder / "home", mirror=mirror), SOURCES)
    assert not report.failed, report.failed


@pytest.fixture(scope="session")
def real_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose store holds :data:`SOURCES` from ../shared/data (read only)."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(f"real upstream data not found at {SHARED_DATA}")
    folder = shared_folder(
        tmp_path_factory, "forecast-real", lambda f: _store(f, SHARED_DATA)
    )
    return folder / "home"


@pytest.fixture
def home_copy(real_home: Path, tmp_path: Path) -> Path:
    """A copy of the real home, for tests that write into it."""
    target = tmp_path / "home"
    shutil.copytree(real_home, target, symlinks=True)
    return target


def same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """The two frames are equal (``equals`` first: it compares categories by their codes,
    where pandas' assertion boxes each of millions of values; the assertion says where)."""
    if not left.equals(right):
        pd.testing.assert_frame_equal(left, right)


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home), *args])


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The reference dates forecast from now on in this process (``YYYY-MM-DD``, once per
    forecast of a date's series)."""
    from epicurves.forecast import engine

    dates: list[str] = []
    forecast_every = engine.forecast_every

    def counted(
        series: Series, inputs: engine.Inputs, models: Sequence[str], *, seed: int = 0
    ) -> engine.Batch:
        dates.append(f"{inputs.reference_date:%Y-%m-%d}")
        return forecast_every(series, inputs, models, seed=seed)

    monkeypatch.setattr(engine, "forecast_every", counted)
    return dates


def test_forecast_writes_the_hubs_format_with_their_locations(
    real_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "forecasts.csv"
    result = run(
        real_home,
        "forecast",
        "--target",
        COVID,
        "--model",
        "baseline",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype={"location": str})
    assert list(frame.columns[:8]) == [
        "reference_date", "location", "horizon", "target", "target_end_date",
        "output_type", "output_type_id", "value",
    ]  # fmt: skip
    assert set(frame["reference_date"]) == {"2026-08-22"}  # the hub's newest
    assert frame["location"].nunique() == 53 and "06" in set(frame["location"])
    assert sorted(frame["horizon"].unique()) == [-1, 0, 1, 2, 3]
    # the hub's own baseline forecast of that date, to within its Monte Carlo error
    hub = pd.read_csv(
        SHARED_DATA / "cdc-covid" / "reference" / "CovidHub-baseline.csv.gz",
        dtype={"location": str},
    )
    hub = hub[hub["reference_date"] == "2026-08-22"]
    keys = ["location", "horizon", "output_type_id"]
    both = frame.merge(hub, on=keys, suffixes=("", "_hub"))
    assert len(both) == len(hub)
    # as in test_baseline: 2.5 % of each forecast's 98 % interval, plus half an admission
    width = both.groupby(["location", "horizon"])["value_hub"].transform(
        lambda v: v.max() - v.min()
    )
    assert ((both["value"] - both["value_hub"]).abs() <= 0.025 * width + 0.5).all()


def test_the_stored_backtest_is_redone_only_where_the_data_changed(
    real_home: Path, tmp_path: Path, made: list[str]
) -> None:
    """A store without the newest CDC release, backtested; the release added and the
    backtest run again: only the reference dates the new release reaches are made anew, each
    once although it reaches the series from different weeks, and the result equals a
    backtest from nothing."""
    mirror = tmp_path / "mirror"
    for folder in ("cdc-covid", "cdc-flu", "rki"):
        shutil.copytree(SHARED_DATA / folder, mirror / folder)
    path = mirror / "cdc-covid" / "time-series.parquet"
    # three locations are enough, and make four backtests quick
    full = pd.read_parquet(path)
    full = full[full["location"].isin(["06", "72", "US"])]
    newest = full["as_of"].max()
    full[full["as_of"] != newest].to_parquet(path, index=False)
    home = tmp_path / "home"
    settings = Settings(home=home, mirror=mirror)
    assert not update(settings, SOURCES).failed
    targets = [COVID]
    first = backtest(targets, settings=settings, workers=1)
    assert first.redone == first.series
    again = backtest(targets, settings=settings, workers=1)
    assert again.redone == {COVID: 0}
    same(again.scores, first.scores)
    folder = home / "forecasts" / "scores-wk-inc-covid-hosp"
    files = {p.name: p.stat() for p in folder.iterdir()}
    assert len(files) > 4  # a file per quarter of the reference date
    full.to_parquet(path, index=False)  # the newest release arrives
    assert not update(settings, ["cdc-covid"]).failed
    made.clear()
    later = backtest(targets, settings=settings, workers=1)
    assert made and len(made) == len(set(made)), len(made)  # each date once
    # the quarters the release reaches are written again, the older ones are not touched
    after = {p.name: p.stat() for p in folder.iterdir()}
    assert set(after) >= set(files)
    touched = sorted(n for n in files if after[n].st_ino != files[n].st_ino)
    assert touched == sorted(files)[-len(touched) :], touched
    assert 0 < len(touched) < len(files), touched
    made = later.scores[later.scores["target"] == COVID]
    assert (
        made["reference_date"].max()
        > first.scores.query("target == @COVID")["reference_date"].max()
    )
    kept = load_summary(settings)
    shutil.rmtree(home / "forecasts")
    fresh = backtest(targets, settings=settings, workers=1)
    same(later.scores, fresh.scores)
    min(folder.iterdir()).unlink()  # a quarter lost: all made again, the same
    (folder / "1999q1.parquet").write_bytes(b"a quarter it has no score of")
    lost = backtest(targets, settings=settings, workers=1)
    assert lost.redone == lost.series
    same(lost.scores, fresh.scores)
    assert not (folder / "1999q1.parquet").exists()  # only its quarters' files stay
    # what the site shows, kept beside the scores: the same after a partial redo
    made = load_summary(settings)
    for name in ("current", "records", "card"):
        same(getattr(kept, name), getattr(made, name))
    # the scorecard is `scores`', the current forecasts `make_forecasts`'
    card = scores(targets, settings=settings)
    keys = ["target", "period", "horizon", "model"]
    assert made.card[keys].astype(str).equals(card[keys].astype(str))
    assert (made.card["relative_wis"] == card["relative_wis"]).all()
    same(made.current, make_forecasts(targets, settings=settings))
    record = made.records.set_index("region_id").loc["US-CA"]
    ensemble = fresh.scores.query("model == 'ensemble' and region_id == 'US-CA'")
    assert record["n"] == len(ensemble)
    assert record["coverage_95"] == ensemble["covered_95"].mean()


@pytest.fixture
def rki_settings(tmp_path: Path) -> Settings:
    """An empty home, and a mirror for RKI's national files (:func:`_rki_mirror`)."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(f"real upstream data not found at {SHARED_DATA}")
    return Settings(home=tmp_path / "home", mirror=tmp_path / "mirror")


def _rki_mirror(settings: Settings, *, until: str, revised: str | None = None) -> None:
    """RKI's national files in the mirror, from 2025 on (a short backtest), its case file
    cut after the day ``until`` and, with ``revised``, five more cases reported on that day
    (the cumulative count from then on); then ``update``."""
    assert settings.mirror is not None
    folder = settings.mirror / "rki"
    shutil.copytree(SHARED_DATA / "rki", folder, dirs_exist_ok=True)
    for name, day in (
        ("COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv.gz", "Meldedatum"),
        ("COVID-19-Todesfaelle_Deutschland.csv.gz", "Berichtsdatum"),
    ):
        frame = pd.read_csv(SHARED_DATA / "rki" / name, dtype=str)
        frame = frame[frame[day] >= "2025-01-01"]
        if day == "Meldedatum":
            frame = frame[frame[day] <= until]
            if revised is not None:
                later = (frame[day] >= revised) & (frame["Altersgruppe"] == "00+")
                total = frame.loc[later, "Faelle_gesamt"].astype(int) + 5
                frame.loc[later, "Faelle_gesamt"] = total.astype(str)
        frame.to_csv(
            folder / name, index=False, compression="gzip", lineterminator="\n"
        )
    assert not update(settings, ["rki"]).failed


def test_kept_forecasts_are_scored_when_their_outcomes_arrive(
    rki_settings: Settings, tmp_path: Path, made: list[str]
) -> None:
    """The newest forecasts are kept with the stored backtest: a new week scores them without
    making them again (only the new newest date is forecast), a week revised makes again
    those whose data it is in; the scores and the kept forecasts are those of a backtest
    from nothing."""
    settings = rki_settings
    case = ["wk inc case"]
    folder = settings.home / "forecasts"
    kept = folder / "pending-wk-inc-case"

    def kept_files() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(kept.iterdir())}

    def fresh() -> tuple[pd.DataFrame, dict[str, bytes]]:
        """A backtest from nothing of the same store."""
        shutil.move(folder, tmp_path / "incremental")
        scores = backtest(case, settings=settings, workers=1).scores
        files = kept_files()
        shutil.rmtree(folder)
        shutil.move(tmp_path / "incremental", folder)
        return scores, files

    _rki_mirror(settings, until="2026-08-15")  # a week less
    backtest(case, settings=settings, workers=1)
    assert sorted(kept_files())[-1] == "2026-08-22.npz"  # the newest, not yet scored
    assert len(kept_files()) == 6
    made.clear()
    _rki_mirror(settings, until="2026-08-22")  # the week arrives
    later = backtest(case, settings=settings, workers=1)
    assert made == ["2026-08-29"], made  # the four it scores were kept
    scores, files = fresh()
    same(later.scores, scores)
    assert kept_files() == files
    assert sorted(files) == [f"2026-{d}.npz" for d in
                             ("07-25", "08-01", "08-08", "08-15", "08-22", "08-29")]  # fmt: skip
    made.clear()
    # a revision of the week ending 2026-08-08: the dates whose data it is in are made again,
    # those it is an outcome of are scored again (from 2026-07-18), the kept ones from them
    _rki_mirror(settings, until="2026-08-22", revised="2026-08-05")
    revised = backtest(case, settings=settings, workers=1)
    assert sorted(made) == ["2026-07-18", "2026-08-15", "2026-08-22", "2026-08-29"]
    scores, files = fresh()
    same(revised.scores, scores)
    assert kept_files() == files
    # a damaged file is made again, not read: a kept forecast, the stored series
    made.clear()
    (kept / "2026-07-25.npz").write_bytes(b"PK\x03\x04 cut short")
    _rki_mirror(settings, until="2026-08-22", revised="2026-07-22")
    damaged = backtest(case, settings=settings, workers=1)
    assert "2026-07-25" in made  # its data did not change: read, had it been whole
    scores, files = fresh()
    same(damaged.scores, scores)
    assert kept_files() == files
    (folder / "series-wk-inc-case.npz").write_bytes(b"PK\x03\x04 cut short")
    _rki_mirror(settings, until="2026-08-22")  # read when the data change
    damaged = backtest(case, settings=settings, workers=1)
    assert damaged.redone == {"wk inc case": 1}
    same(damaged.scores, fresh()[0])


def test_a_revised_covariate_alone_redoes_the_forecasts_that_use_it(
    rki_settings: Settings,
) -> None:
    """Weekly deaths are forecast with weekly cases as covariate: a revision of the cases
    alone makes again the deaths' forecasts whose data it is in, as a backtest from nothing
    makes them."""
    settings = rki_settings
    deaths = ["wk inc death"]
    _rki_mirror(settings, until="2026-08-22")
    backtest(deaths, settings=settings, workers=1)
    _rki_mirror(settings, until="2026-08-22", revised="2026-06-03")
    later = backtest(deaths, settings=settings, workers=1)
    assert later.redone == {"wk inc death": 1}
    shutil.rmtree(settings.home / "forecasts")
    same(later.scores, backtest(deaths, settings=settings, workers=1).scores)


def test_a_backtest_on_dask_gives_the_same_scores(real_home: Path) -> None:
    pytest.importorskip("distributed")
    settings = Settings(home=real_home)
    kwargs = {
        "models": ["baseline", "lead_short"],
        "start": "2026-01-03",  # 33 reference dates: two pieces of work
        "regions": ["US", "US-CA", "US-NY"],
        "settings": settings,
    }
    local = backtest([COVID], workers=1, forecasts=True, **kwargs)
    # one Dask worker: the pieces still travel through the scheduler (and the test suite
    # keeps its other cores)
    spread = backtest([COVID], scheduler="local", workers=1, forecasts=True, **kwargs)
    same(local.scores, spread.scores)
    assert local.forecasts is not None and spread.forecasts is not None
    same(local.forecasts, spread.forecasts)


def test_the_scores_command_prints_the_scores_function(home_copy: Path) -> None:
    result = run(home_copy, "scores", "--target", "wk inc hosp", "--format", "csv")
    assert result.exit_code == 0, result.output
    printed = pd.read_csv(io.StringIO(result.stdout))
    card = scores(["wk inc hosp"], settings=Settings(home=home_copy))
    assert len(printed) == len(card)
    assert (
        printed["relative_wis"].round(9).tolist()
        == card["relative_wis"].round(9).tolist()
    )
    assert printed["period"].tolist() == card["period"].astype(str).tolist()
    assert printed["n"].tolist() == card["n"].tolist()
    # its backtest on the real data starts at 2023-01-28, after its tuning period (to
    # 2021-06-26): evaluation alone
    assert set(printed["period"]) == {"evaluation"}


def test_a_forecast_is_the_same_whichever_regions_are_asked(real_home: Path) -> None:
    settings = Settings(home=real_home)
    every = make_forecasts([COVID], settings=settings)
    one = make_forecasts([COVID], regions=["US-CA"], settings=settings)
    pd.testing.assert_frame_equal(
        every[every["region_id"] == "US-CA"].reset_index(drop=True), one
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["forecast", "--target", "wk inc nope"], "unknown target 'wk inc nope'"),
        (["forecast", "--region", "XX"], "no live weekly series of XX"),
        (["forecast", "--target", COVID, "--region", "DE"], "no weekly COVID-19 hospital admissions for region 'DE'"),
        (["forecast", "--reference-date", "2026-08-21"], "is a Friday: expected a Saturday"),
        (["forecast", "--target", COVID, "--reference-date", "2030-01-05"], "outside the data"),
        (["forecast", "--target", COVID, "--reference-date", "2024-11-16"], "outside the data"),
        (["forecast", "--reference-date", "2019-01-05"], "is outside the data of every live target: 'wk inc case' (2020-02-01 to "),
        (["backtest", "--model", "nope"], "unknown model 'nope'"),
        (["scores", "--by", "colour"], "--by 'colour'"),
    ],
)  # fmt: skip
def test_bad_input_gets_one_line_and_status_1(
    real_home: Path, args: list[str], expected: str
) -> None:
    result = run(real_home, *args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output


def test_the_daily_run_keeps_a_backtest_current(
    home: Path, mirror: Path, tmp_path: Path
) -> None:
    """`run --forecasts` makes the backtest; a new CDC release and the next `run` (a backtest
    stored: on by default) forecast the COVID-19 series anew and no other; a run with nothing
    new, none; `--no-forecasts` leaves it; scores of other code are all made again."""
    site = str(tmp_path / "site")
    path = mirror / "cdc-covid" / "time-series.parquet"
    full = pd.read_parquet(path)
    full[full["as_of"] != full["as_of"].max()].to_parquet(path, index=False)
    first = run(home, "run", "--mirror", str(mirror), "--out", site, "--forecasts")
    assert first.exit_code == 0, first.output
    assert (home / "forecasts" / "meta.json").is_file()
    every = re.search(r"forecasts: (\d+) of", first.output)
    assert every is not None and int(every.group(1)) > 0, first.output
    full.to_parquet(path, index=False)  # the newest release arrives
    later = run(home, "run", "--mirror", str(mirror), "--out", site)
    assert later.exit_code == 0, later.output
    covid = pd.read_parquet(path)["location"].nunique()
    assert f"forecasts: {covid} of" in later.output, later.output
    # made while the build rendered the pages, read by it: the site shows the new forecasts
    current = load_summary(Settings(home=home)).current
    median = current["output_type_id"] == 0.5
    stored = current[
        median & (current["region_id"] == "US") & (current["target"] == COVID)
    ]
    script = (tmp_path / "site" / "forecasts" / "US.js").read_text("utf-8")
    shown = json.loads(script[script.index("=", script.index("]")) + 1 : -2])
    medians = [week[3] for week in shown["fans"][COVID]["weeks"]]  # end, 2.5, 25, 50 %
    assert medians == pytest.approx(
        stored.sort_values("horizon")["value"].tolist(), 1e-2
    )
    again = run(home, "run", "--mirror", str(mirror), "--out", site)
    assert "forecasts: 0 of" in again.output, again.output
    off = run(home, "run", "--mirror", str(mirror), "--out", site, "--no-forecasts")
    assert off.exit_code == 0 and "forecasts:" not in off.output
    # scores made by other forecasting code are all made again
    path = home / "forecasts" / "meta.json"
    meta = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(meta | {"code": "older code"}), "utf-8")
    redo = run(home, "run", "--mirror", str(mirror), "--out", site)
    made = re.search(r"forecasts: (\d+) of", redo.output)
    # every series with a reference date: more than the first run had (one release less)
    assert made is not None and int(made.group(1)) > int(every.group(1)), redo.output


def test_a_backtest_reports_its_progress(real_home: Path) -> None:
    seen: list[tuple[int, int]] = []
    backtest(
        [COVID],
        models=["baseline"],
        start="2026-01-03",  # 33 reference dates: two pieces of work
        settings=Settings(home=real_home),
        workers=1,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_a_failed_refresh_leaves_the_site_built_and_says_why(
    home: Path, mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's forecasts fail: the site is built from the new data all the same (with the
    forecasts stored before), then the error is one line and the exit status 1."""
    from epicurves.errors import EpicurvesError
    from epicurves.forecast import runs

    def broken(*args: object, **kwargs: object) -> None:
        msg = "the forecasts broke"
        raise EpicurvesError(msg)

    monkeypatch.setattr(runs, "refresh_backtest", broken)
    site = tmp_path / "site"
    result = run(
        home, "run", "--mirror", str(mirror), "--out", str(site), "--forecasts"
    )
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1] == "Error: the forecasts broke"
    assert "the site shows those stored before" in " ".join(result.output.split())
    assert (
        "built " in result.output
        and (site / "region" / "US-CA" / "index.html").is_file()
    )
