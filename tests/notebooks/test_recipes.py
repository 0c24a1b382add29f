"""The recipe collection: public names only, and every recipe run as a notebook on the real data.

Fast tests parse each recipe's code (``ast``): only names of ``epicurves.__all__``, and no
import beyond epicurves, pandas, numpy, Bokeh and the standard library; every recipe starts
with the same setup cell. The ``realdata`` tests execute every recipe with nbclient, in
kernels of their own (several at once), against the store filled from ../shared/data: no
error, nothing on stderr, BokehJS inline (no CDN), files written only into the kernel's
working directory, and the key numbers each recipe prints. A new recipe is picked up by the
parametrisation; give it numbers to check in :data:`KEY_NUMBERS`.

Also here: the two public helpers the recipes rest on, :func:`epicurves.reference_data`
(the shipped EpiEstim reference) and :func:`epicurves.read_observations` (a user's CSV).
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import os
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import epicurves
from conftest import FIXTURES
from epicurves.notebooks.recipes import Recipe, recipes
from notebook_checks import assert_clean, problems

EPIESTIM = FIXTURES / "epiestim"


#: The first code cell of every recipe.
SETUP = """import epicurves

settings = epicurves.ensure_data()  # the store in EPICURVES_HOME; filled on first use (EPICURVES_MIRROR or the upstream URLs), and says so"""

RECIPES = recipes()


def _ids(recipe: Recipe) -> str:
    return recipe.name


def test_the_check_finds_what_is_not_public() -> None:
    code = """
import epicurves
import epicurves.model
import epicurves as ec
import scipy.stats
import json, requests
from epicurves import load_metrics, add_daily
from epicurves.analysis import r_cori
from . import x
ec.load_metrics()
epicurves.rules.validate_observations
ec._private
"""
    found = problems(code)
    assert found == [
        "line 3: import epicurves.model (not public)",
        "line 5: import scipy.stats",
        "line 6: import requests",
        "line 7: from epicurves import add_daily (not public)",
        "line 8: from epicurves.analysis (not public)",
        "line 9: from .",
        "line 11: epicurves.rules (not public)",
        "line 12: epicurves._private (not public)",
    ]


def test_there_are_recipes() -> None:
    names = [r.name for r in RECIPES]
    assert names[:7] == [
        "compare-per-100k",
        "rki-incidence-and-r",
        "cori-vs-epiestim",
        "reporting-anomalies",
        "export",
        "bring-your-own-data",
        "from-oscovida",
    ]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("recipe", RECIPES, ids=_ids)
def test_recipe_uses_only_public_names(recipe: Recipe) -> None:
    assert problems(recipe.code) == []
    code = [c for c in recipe.cells if c.kind == "code"]
    assert code[0].source == SETUP, "every recipe starts with the setup cell"
    assert recipe.title and recipe.summary
    # The script runs as a script too: valid Python, its docstring before the first cell.
    assert ast.get_docstring(ast.parse(recipe.script))
    assert recipe.script.count("# %% [markdown]") >= 2


# -- executed on the real data ------------------------------------------------------------------
#: Text each recipe must print (stdout, and the text of its results), on ../shared/data.
KEY_NUMBERS: dict[str, list[str]] = {
    "compare-per-100k": [
        r"common date: 2022-05-16",
        r"most cases in 7 days: US \(652,682\)",
        r"highest incidence: DE-BY \(515\.4 per 100k\)",
        r"US rank by incidence: 9 of 10",
    ],
    "rki-incidence-and-r": [
        r"7-day incidence, Germany, all ages: 2,418 of 2,418 days equal to RKI's \(100\.00%\)",
        r"every age group: 16,926 of 16,926 day x age-group values equal to RKI's",
        r"7-day R: 1,193 of 1,198 published days within 0\.01 of RKI's \(99\.58%\); 1,190 equal",
        r"not matched: 2020-03-06, 2020-03-07, 2020-03-08, 2020-03-09, 2020-03-10\n",
    ],
    "cori-vs-epiestim": [
        r"windows: 357, estimated by both: 312",
        r"left empty by epicurves \(fewer than 11 cases\): 45",
        r"max \|difference\| of the mean: 1\.5e-06 \(relative 1\.7e-06\)",
        r"max \|difference\| of the mean, EpiEstim's serial interval: 5\.0e-07",
    ],
    "reporting-anomalies": [
        r"638,740 region-days of 686 regions; 59,891 carry a flag",
        r"on a Saturday or Sunday: 52\.7%",
        r"cases-gap: 48,732 days flagged, 48,732 by the rule",
        r"cases-backlog: 5,182 days flagged, 5,182 by the rule",
        r"Spain, May to August 2021: 36 gap days, on \['Saturday', 'Sunday'\]",
    ],
    "export": [
        r"1,460 rows, 4 regions, 33 columns",
        r"epicurves\.csv: 0\.\d\d MB, read back identical",
        r"epicurves\.parquet: 0\.\d\d MB, read back identical",
        r"read_observations: 1,460 rows, the counts as written",
        r"epicurves\.xlsx: 0\.\d\d MB, 4 sheets, read back equal"
        if importlib.util.find_spec("openpyxl")
        else r"Excel: skipped, openpyxl is not installed",
    ],
    "bring-your-own-data": [
        r"XX-TOWN-A 0\.8 +0\.79",
        r"ParseError: user: example_outbreak_bad\.csv: line 6, column 'new_cases': not a count: "
        r"expected a whole number, found '\d+x'",
    ],
    "from-oscovida": [
        r"LK Pinneberg on 2022-05-16: 1,458 new cases last week, incidence 461\.2",
        r"2022-05-16 +437\.6 +520\.5 +484\.0",
    ],
    "forecast-and-score": [
        r"reference date 2026-08-22, model ensemble",
        r"415 forecasts of the ensemble scored, reference dates 2024-11-30 to 2026-08-22",
        r"evaluation, horizon 1: relative WIS 0\.51, 95 % interval held the outcome 98 % of "
        r"the time \(52 forecasts\)",
    ],
    "wastewater-and-cases": [
        r"cases reported per unit of viral load, 2022 against 2024: 41 times as many",
    ],
}

#: Files each recipe writes into its working directory (and nothing else there).
WRITES: dict[str, set[str]] = {
    "export": {"exports"},
    "bring-your-own-data": {"example_outbreak.csv", "example_outbreak_bad.csv"},
}


async def _execute(recipe: Recipe, env: dict[str, str], cwd: Path) -> tuple[Any, float]:
    import nbclient
    import nbformat

    notebook = nbformat.reads(recipe.notebook(), as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    started = time.perf_counter()
    await client.async_execute(env=env)
    return notebook, time.perf_counter() - started


@pytest.fixture(scope="module")
def executed(
    real_site: tuple[epicurves.Settings, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Any, float, Path] | BaseException]:
    """Every recipe executed, as many at once as there are CPUs (at least two): the
    notebook with its outputs, the seconds it took and its working directory, or the error."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    settings, _ = real_site
    env = {
        **os.environ,
        "EPICURVES_HOME": str(settings.home),
        "EPICURVES_MIRROR": str(settings.mirror),
    }
    env.pop("EPICURVES_PRECEDENCE", None)
    limit = asyncio.Semaphore(max(2, os.cpu_count() or 2))

    async def one(recipe: Recipe) -> tuple[Any, float, Path] | BaseException:
        cwd = tmp_path_factory.mktemp(recipe.name)
        async with limit:
            try:
                notebook, seconds = await _execute(recipe, env, cwd)
            except Exception as exc:  # reported by the recipe's own test
                return exc
        return notebook, seconds, cwd

    async def every() -> list[tuple[Any, float, Path] | BaseException]:
        return await asyncio.gather(*(one(r) for r in RECIPES))

    started = time.perf_counter()
    results = dict(zip((r.name for r in RECIPES), asyncio.run(every()), strict=True))
    wall = time.perf_counter() - started
    seconds = {k: round(v[1], 1) for k, v in results.items() if isinstance(v, tuple)}
    print(f"\nrecipes executed in {wall:.1f} s (wall): {seconds}")
    return results


@pytest.mark.realdata
@pytest.mark.parametrize("recipe", RECIPES, ids=_ids)
def test_recipe_runs_on_the_real_data(
    executed: dict[str, tuple[Any, float, Path] | BaseException], recipe: Recipe
) -> None:
    result = executed[recipe.name]
    if isinstance(result, BaseException):
        raise result
    notebook, seconds, cwd = result
    printed = assert_clean(notebook)
    assert "is empty" not in printed  # the store had data: nothing was fetched
    for pattern in KEY_NUMBERS.get(recipe.name, []):
        assert re.search(pattern, printed), (
            f"{recipe.name}: no {pattern!r} in\n{printed}"
        )
    shown = sum(
        "application/vnd.bokehjs_exec.v0+json" in o.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    assert shown == len(re.findall(r"\bshow\(", recipe.code)), "a chart per show()"
    assert {p.name for p in cwd.iterdir()} == WRITES.get(recipe.name, set())
    assert seconds < 120


def test_every_recipe_has_key_numbers() -> None:
    missing = {r.name for r in RECIPES} - set(KEY_NUMBERS)
    assert not missing, f"add what {missing} print on the real data to KEY_NUMBERS"


# -- reference data -----------------------------------------------------------------------------
def test_shipped_epiestim_reference_is_the_fixture() -> None:
    """The shipped table is the DE rows of tests/data/epiestim, to the character."""
    shipped = epicurves.reference_data("epiestim")
    assert shipped.attrs["description"].startswith(
        "R by Cori et al. from EpiEstim 2.2-4"
    )
    inputs = pd.read_csv(EPIESTIM / "inputs.csv", parse_dates=["date"])
    expected = pd.read_csv(EPIESTIM / "expected.csv", parse_dates=["date"], dtype=str)
    inputs = inputs.query("source == 'rki' and region_id == 'DE'").set_index("date")
    expected = expected.query("source == 'rki' and region_id == 'DE'").set_index("date")
    shipped = shipped.set_index("date")
    assert shipped.index.equals(inputs.index)
    assert (shipped["new_cases"] == inputs["new_cases"]).all()
    assert shipped["mean"].notna().sum() == len(expected) == len(shipped) - 7
    text = pd.read_csv(
        Path(epicurves.__file__).parent / "data" / "epiestim_rki_DE_2020.csv", dtype=str
    ).set_index("date")
    for column in ("mean", "q025", "q975"):
        assert text[column].dropna().to_dict() == {
            f"{d:%Y-%m-%d}": v for d, v in expected[column].items()
        }


def test_reference_data_unknown_name() -> None:
    with pytest.raises(epicurves.UsageError, match="expected one of epiestim"):
        epicurves.reference_data("nope")


# -- your own data ------------------------------------------------------------------------------
def _csv(tmp_path: Path, text: str, name: str = "mine.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_read_observations_from_daily_counts(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "region_id,date,new_cases,new_deaths\n"
        "B,2021-01-01,1,0\n"
        "A,2021-01-02,7,1\n"
        "A,2021-01-01,5,0\n"
        "A,2021-01-03,-2,0\n",
    )
    frame = epicurves.read_observations(path)
    assert list(frame.columns) == list(epicurves.OBSERVATION_COLUMNS)
    assert frame.dtypes.astype(str).to_dict() == {
        k: str(pd.Series(dtype=v).dtype)
        for k, v in epicurves.OBSERVATION_COLUMNS.items()
    }
    assert frame["region_id"].tolist() == ["A", "A", "A", "B"]
    assert frame["source"].unique().tolist() == ["user"]
    assert frame["cases"].tolist() == [5, 12, 10, 1]
    assert frame["new_cases"].tolist() == [5, 7, -2, 1]
    assert frame["deaths"].tolist() == [0, 1, 1, 0]
    assert frame["flags"].tolist() == ["", "", "cases-decrease", ""]
    metrics = epicurves.compute_metrics(frame)
    assert len(metrics) == 4


def test_read_observations_from_cumulative_counts_and_an_export(tmp_path: Path) -> None:
    """Cumulative counts give the daily ones; given daily counts are kept as given (an
    export cut at a start date), other columns are left out."""
    path = _csv(
        tmp_path,
        "region_id,name,source,date,cases,deaths,new_cases,new_deaths,flags,incidence_7d\n"
        "DE,Germany,rki,2021-01-01,100,,7,,,1.5\n"
        "DE,Germany,rki,2021-01-02,104,,4,,,1.6\n"
        "DE,Germany,jhu,2021-01-01,90,3,,,,\n"
        "DE,Germany,jhu,2021-01-02,89,3,,,,\n",
    )
    frame = epicurves.read_observations(path)
    assert frame["source"].tolist() == ["jhu", "jhu", "rki", "rki"]
    assert frame["new_cases"].tolist() == [90, -1, 7, 4]
    assert frame["new_deaths"].tolist()[:2] == [3, 0]
    assert frame["deaths"].isna().tolist() == [False, False, True, True]
    assert frame["flags"].tolist() == ["", "cases-decrease", "", ""]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "region_id,date,cases\nX,2021-01-01,5\nX,2021-01-02,12a\n",
            "user: mine.csv: line 3, column 'cases': not a count: expected a whole number "
            ">= 0, found '12a'",
        ),
        (
            "region_id,date,cases\nX,2021-01-01,5\nX,2021-01-03,12\n",
            "user: mine.csv: line 3, column 'date': gap in the daily dates of region_id X: "
            "2021-01-01 is followed by 2021-01-03, not consecutive: expected one row per day",
        ),
        (
            "region_id,date,cases\nX,2021-01-01,5\nX,2021-01-01,12\n",
            "user: mine.csv: line 3: duplicate row (region_id=X, date=2021-01-01) repeats "
            "line 2: expected one row per region_id, date",
        ),
        (
            "region_id,day,cases\nX,2021-01-01,5\n",
            "user: mine.csv: missing column 'date': expected columns region_id, date; "
            "found region_id, day, cases",
        ),
        (
            "region_id,date,deaths\nX,2021-01-01,5\n",
            "user: mine.csv: no column 'cases' or 'new_cases': expected cumulative cases, "
            "daily cases or both; found region_id, date, deaths",
        ),
        (
            "region_id,date,cases\nX,01.02.2021,5\n",
            "user: mine.csv: line 2, column 'date': not a date: expected a date like "
            "2021-03-31, found '01.02.2021'",
        ),
        (
            "region_id,date,cases\n,2021-01-01,5\n",
            "user: mine.csv: line 2, column 'region_id': empty cell: expected a region id",
        ),
        (
            "region_id,date,cases\nX,2021-01-01,5\n  ,2021-01-01,5\n",
            "user: mine.csv: line 3, column 'region_id': empty cell: expected a region id",
        ),
        (
            "region_id,date,new_cases,new_deaths\nX,2021-01-01,5,\n",
            "user: mine.csv: line 2, column 'new_deaths': empty cell: expected a whole number",
        ),
    ],
)
def test_read_observations_errors_are_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(epicurves.ParseError) as caught:
        epicurves.read_observations(_csv(tmp_path, text))
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_read_observations_checks_the_model_rules(tmp_path: Path) -> None:
    path = _csv(tmp_path, "region_id,date,new_cases\nX,2021-01-01,5\nX,2021-01-02,-9\n")
    with pytest.raises(epicurves.ValidationError, match="negative cumulative count -4"):
        epicurves.read_observations(path, source="mine")


def test_read_observations_gzip_and_the_synthetic_example(tmp_path: Path) -> None:
    """A gzip file reads as a plain one; daily and cumulative counts agree."""
    import gzip

    rng = np.random.default_rng(0)
    daily = rng.poisson(20, 30)
    frame = pd.DataFrame(
        {
            "region_id": "Z",
            "date": pd.date_range("2022-01-01", periods=30).strftime("%Y-%m-%d"),
            "new_cases": daily,
        }
    )
    path = tmp_path / "z.csv.gz"
    path.write_bytes(gzip.compress(frame.to_csv(index=False).encode()))
    observations = epicurves.read_observations(path, source="sim")
    assert (observations["cases"].to_numpy() == np.cumsum(daily)).all()
    assert (observations["new_cases"].to_numpy() == daily).all()
