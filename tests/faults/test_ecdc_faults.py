"""Fault injection for ECDC's ERVISS (issue 22): bad upstream files refused in one line, or tolerated as documented, on a store holding the source.

Each input in :data:`ECDC_INPUTS` rewrites one of the three fixture files (tests/data/ecdc).
A **refusal** fails the update with one line naming the source, the file and (where known)
the line and column; the store's files and the stored signals stay as they were (nothing
lost). A **tolerance** is ``same`` (the store holds what the clean files give) or ``kept``
(stored as the guide ecdc-erviss says, checked by the input's check).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import epicurves
from epicurves import Settings

from . import inputs as I
from .cases import FIXTURES, Frames, Input, snapshot

pytestmark = pytest.mark.faults

NAME = "ecdc-erviss"
ILI, SARI, VIRO = I.ECDC_ILI, I.ECDC_SARI, I.ECDC_VIRO
T = I.ecdc_table
FR_W10 = {"countryname": "France", "yearweek": "2021-W10"}


def _ecdc_signals(settings: Settings) -> pd.DataFrame:
    signals = epicurves.load_signals(settings=settings)
    return signals[signals["source"] == NAME].reset_index(drop=True)


def _same_values(settings: Settings, source: str, clean: Frames) -> None:
    """The same values and units as the clean files give, whatever else changed."""
    key = ["region_id", "signal", "pathogen", "age_group", "date"]
    after = _ecdc_signals(settings)[[*key, "estimate", "value", "unit"]]
    pd.testing.assert_frame_equal(after, clean[0][[*key, "estimate", "value", "unit"]])


def _eu_eea_noted(settings: Settings, source: str, clean: Frames) -> None:
    """EU/EEA's rates are left out with a note: the stored values are the clean ones."""
    _same_values(settings, source, clean)
    notes = [n for s, n in epicurves.store_info(settings).notes if s == NAME]
    assert f"{ILI}: 1 row of EU/EEA left out" in " ".join(notes)


def _one_more_outlier(settings: Settings, source: str, clean: Frames) -> None:
    """The spike is stored, as an outlier: nothing dropped, one more flagged."""
    after = _ecdc_signals(settings)
    assert len(after) == len(clean[0])
    outliers = after[after["estimate"] == "outlier"]
    assert len(outliers) == 2 and 60000.0 in set(outliers["value"])


ECDC_INPUTS: list[Input] = [
    # the whole file
    Input("ecdc-truncated-gzip", I.cdc_truncated_gzip(ILI), (NAME,), words=("gzip",)),
    Input("ecdc-cut-mid-line", I.cdc_bytes(SARI, I.cut_mid_line), (NAME,),
          words=("ends mid-line",)),
    Input("ecdc-html-page", I.cdc_bytes(VIRO, I.html_page), (NAME,), words=("HTML",)),
    Input("ecdc-empty-file", I.cdc_bytes(ILI, lambda b: b""), (NAME,), words=("empty",)),
    Input("ecdc-header-only", I.cdc_bytes(SARI, lambda b: b.split(b"\n")[0] + b"\n"),
          (NAME,), words=("no data rows",)),
    Input("ecdc-semicolons", I.cdc_bytes(ILI, lambda b: b.replace(b",", b";")), (NAME,),
          words=("missing column",)),
    # columns
    Input("ecdc-missing-column", T(ILI, lambda rows: I.missing_column(rows, I.ECDC_TARGET)),
          (NAME,), words=("missing column 'value'",)),
    Input("ecdc-renamed-column", T(VIRO, lambda rows: [["country" if c == "countryname"
          else c for c in rows[0]], *rows[1:]]), (NAME,),
          words=("missing column 'countryname'",)),
    # weeks
    Input("ecdc-week-53-of-a-52-week-year", T(ILI, I.ecdc_cell("yearweek", "2021-W53",
          indicator="ILIconsultationrate", age="total", **FR_W10)), (NAME,),
          words=("line 17", "column 'yearweek'", "2021 has no week 53")),
    Input("ecdc-week-as-a-date", T(SARI, I.ecdc_cell("yearweek", "2021-03-08",
          countryname="Spain", yearweek="2021-W10")), (NAME,),
          words=("not an ISO week", "'2021-03-08'")),
    # countries
    Input("ecdc-unknown-country", T(ILI, I.ecdc_cell("countryname", "Atlantis",
          countryname="Malta")), (NAME,),
          words=("line 25", "column 'countryname'", "unknown country 'Atlantis'")),
    Input("ecdc-country-as-a-code", T(VIRO, I.ecdc_cell("countryname", "ES",
          countryname="Spain")), (NAME,), words=("unknown country 'ES'",)),
    # values
    Input("ecdc-negative-rate", T(SARI, I.ecdc_cell("value", "-3.5", countryname="Spain",
          yearweek="2021-W09")), (NAME,),
          words=("line 11", "column 'value'", "negative value", "'-3.5'")),
    Input("ecdc-positivity-above-100", T(VIRO, I.ecdc_cell("value", "133.3",
          countryname="Spain", pathogen="SARS-CoV-2", indicator="positivity")), (NAME,),
          words=("line 40", "positivity 133.3 is above 100 %")),
    Input("ecdc-positivity-not-detections-over-tests", T(VIRO, I.ecdc_cell("value", "14",
          countryname="Germany", yearweek="2021-W09", pathogen="SARS-CoV-2",
          indicator="positivity")), (NAME,),
          words=("positivity 14 is not 100 x 30 detections / 200 tests", "expected 15")),
    Input("ecdc-more-detections-than-tests", T(VIRO, I.ecdc_cell("value", "250",
          countryname="Germany", yearweek="2021-W09", pathogen="Influenza",
          pathogentype="Influenza", indicator="detections")), (NAME,),
          words=("250 detections of 200 tests",)),
    Input("ecdc-fractional-tests", T(VIRO, I.ecdc_cell("value", "180.5",
          countryname="Germany", yearweek="2021-W09", pathogen="RSV", indicator="tests")),
          (NAME,), words=("not a count", "'180.5'")),
    # duplicated rows
    Input("ecdc-duplicated-row", T(SARI, I.ecdc_repeated("14.5", countryname="Germany",
          yearweek="2021-W10", age="total")), (NAME,),
          words=("line 12", "duplicate row", "repeats line 3")),
    Input("ecdc-duplicated-row-other-value", T(ILI, I.ecdc_repeated("151", age="total",
          indicator="ILIconsultationrate", **FR_W10)), (NAME,),
          words=("duplicate row", "repeats line 17")),
    # a changed unit convention
    Input("ecdc-malta-per-population", T(ILI, I.ecdc_cell("value",
          lambda v: f"{float(v) * 1000:g}", countryname="Malta")), (NAME,),
          words=("line 25", "Malta's ILIconsultationrate 3100 is more than per 100 "
                 "consultations allows", "changed Malta's unit")),
    Input("ecdc-finland-per-population-children", T(ILI, I.ecdc_cell("value", "160000",
          countryname="Finland", yearweek="2021-W05")), (NAME,),
          words=("more than per 100,000 consultations allows", "Finland's unit")),
    # tolerated
    Input("ecdc-rows-out-of-order", T(SARI, lambda rows: [rows[0], *reversed(rows[1:])]),
          (NAME,), "same", "rows are keyed by country, week, indicator and age, not position"),
    Input("ecdc-crlf-and-bom", I.cdc_bytes(VIRO, lambda b: b"\xef\xbb\xbf" + I.crlf(b)),
          (NAME,), "same", "a BOM and line endings are not data"),
    Input("ecdc-extra-column", T(ILI, lambda rows: [[*r, "note" if n == 0 else "x"]
          for n, r in enumerate(rows)]), (NAME,), "same", "columns are read by name"),
    Input("ecdc-eu-eea-rates", T(ILI, lambda rows: rows.append(
          [*ecdc_first(rows, "Malta")[:1], "EU/EEA", *ecdc_first(rows, "Malta")[2:]])),
          (NAME,), "kept", "guide: EU/EEA is left out with a note, in every file",
          check=_eu_eea_noted),
    Input("ecdc-another-spike", T(ILI, I.ecdc_cell("value", "60000", countryname="Finland",
          yearweek="2021-W03")), (NAME,), "kept",
          "guide: an outlier is kept and flagged, not dropped", check=_one_more_outlier),
]  # fmt: skip


def ecdc_first(rows: list[list[str]], country: str) -> list[str]:
    """The first row of ``country``."""
    return I.ecdc_rows(rows, countryname=country)[0]


@dataclass
class EcdcBase:
    home: Path
    signals: pd.DataFrame


@pytest.fixture(scope="session")
def ecdc_base(tmp_path_factory: pytest.TempPathFactory) -> EcdcBase:
    root = tmp_path_factory.mktemp("faults-ecdc")
    settings = Settings(home=root / "home", mirror=FIXTURES)
    (item,) = epicurves.update(settings, [NAME]).sources
    assert item.status == "updated", item
    return EcdcBase(root / "home", _ecdc_signals(settings))


@pytest.fixture
def ecdc_env(
    ecdc_base: EcdcBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    for name in ("EPICURVES_HOME", "EPICURVES_MIRROR", "EPICURVES_PRECEDENCE"):
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(ecdc_base.home, tmp_path / "home")
    shutil.copytree(FIXTURES, tmp_path / "mirror")
    return Settings(home=tmp_path / "home", mirror=tmp_path / "mirror")


def test_at_least_eight_refusals_of_the_kinds_issue_22_names() -> None:
    refused = [i.name for i in ECDC_INPUTS if i.outcome_for(NAME) == "refuse"]
    assert len(refused) >= 8
    for kind in ("missing-column", "week-53", "unknown-country", "negative-rate",
                 "positivity-above-100", "cut-mid-line", "duplicated-row", "malta-per"):  # fmt: skip
        assert any(kind in name for name in refused), kind


@pytest.mark.parametrize("item", ECDC_INPUTS, ids=[i.name for i in ECDC_INPUTS])
def test_bad_ecdc_input(ecdc_env: Settings, ecdc_base: EcdcBase, item: Input) -> None:
    before = snapshot(ecdc_env)
    assert ecdc_env.mirror is not None
    item.mutate(ecdc_env.mirror, I.ECDC_TARGET)
    (result,) = epicurves.update(ecdc_env, [NAME]).sources
    if item.outcome_for(NAME) == "refuse":
        message = result.message
        assert result.status == "failed", result
        assert "\n" not in message, message
        files = (ILI, SARI, VIRO)
        assert any(message.startswith(f"{NAME}: {f}: ") for f in files), message
        for word in item.words:
            assert word in message, message
        assert snapshot(ecdc_env) == before
        pd.testing.assert_frame_equal(_ecdc_signals(ecdc_env), ecdc_base.signals)
        return
    assert result.status in ("updated", "unchanged"), result.message
    if item.outcome_for(NAME) == "same":
        pd.testing.assert_frame_equal(_ecdc_signals(ecdc_env), ecdc_base.signals)
    else:
        assert item.check is not None
        item.check(ecdc_env, NAME, (ecdc_base.signals, pd.DataFrame()))
