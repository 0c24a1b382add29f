"""The static site built from the fixture mirror (and from the real data): its pages, links,
data scripts and their weight, a failed build, and the links to the documentation."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pandas as pd
import pytest

import epicurves
from conftest import check_internal_links
from epicurves.site import payload
from epicurves.site.build import build_site


def test_every_page_exists(site: Path) -> None:
    for path in ("index.html", "regions/index.html", "countries/index.html", "germany/index.html",
                 "us/index.html", "compare/index.html", "articles/index.html", "analysis/index.html",
                 "about/index.html", "region/DE/index.html", "region/DE-09162/index.html",
                 "region/US-CA/index.html", "data/DE.js", "data/DE.inc.js", "maps/index.html",
                 "maps/us/index.html", "maps/germany/index.html",
                 "maps/districts/index.html"):  # fmt: skip
        assert (site / path).is_file(), path


def test_no_broken_internal_link(site: Path) -> None:
    assert check_internal_links(site) > 500


def test_region_data_stored_once_compact(site: Path) -> None:
    """Each region's series are in its two data scripts, not in its page."""
    text = (site / "region/DE-09175/index.html").read_text("utf-8")
    assert "DE-BY" in text  # breadcrumb to the parent state
    assert "incidence_7d" not in text and "new_cases_7d_mean" not in text
    key, data = payload.decode((site / "data/DE-09175.js").read_text("utf-8"))
    inc_key, inc = payload.decode((site / "data/DE-09175.inc.js").read_text("utf-8"))
    assert (key, inc_key) == ("DE-09175", "DE-09175.inc")
    assert data["region_id"] == inc["region_id"] == "DE-09175"
    assert set(inc["series"]) == {"incidence_7d"}
    assert "incidence_7d" not in data["series"]
    assert set(data["series"]) <= set(payload.SERIES)
    assert (
        len(data["dates"])
        == len(data["series"]["new_cases"])
        == len(inc["series"]["incidence_7d"])
    )
    assert data["dates"][0] == data["start"]
    assert data["vintage"] == data["dates"][-1]
    assert not list(site.glob("data/*.json")) and not list(site.glob("data/*.csv"))


def test_data_scripts_hold_the_metrics(
    site: Path, attacked_site: tuple[epicurves.Settings, Path]
) -> None:
    """The numbers of a data script are the metrics, rounded as the page shows them."""
    import numpy as np

    settings = attacked_site[0]
    metrics = epicurves.load_metrics(["DE-09175"], settings=settings)
    _, data = payload.decode((site / "data/DE-09175.js").read_text("utf-8"))
    _, inc = payload.decode((site / "data/DE-09175.inc.js").read_text("utf-8"))
    assert len(metrics) == data["days"]
    assert metrics["date"].dt.strftime("%Y-%m-%d").tolist() == data["dates"]
    series = data["series"] | inc["series"]
    for name, decimals in payload.SERIES.items():
        expected = metrics[name].to_numpy(dtype=float, na_value=np.nan)
        got = np.array(
            [
                np.nan if v is None else v
                for v in series.get(name, [None] * len(metrics))
            ],
            dtype=float,
        )
        rounded = np.round(expected, 0 if decimals is None else decimals)
        assert np.array_equal(np.isnan(rounded), np.isnan(got)), name
        assert np.allclose(rounded[~np.isnan(got)], got[~np.isnan(got)]), name


def test_region_page_weight(site: Path) -> None:
    for page in site.glob("region/*/index.html"):
        region = page.parent.name
        weight = sum(
            len(gzip.compress(p.read_bytes()))
            for p in (
                page,
                site / f"data/{region}.js",
                site / f"data/{region}.inc.js",
                site / f"data/{region}.sig.js",
            )
            if p.is_file()
        )
        assert weight <= 60_000, page


def test_tables_have_oscovida_columns(site: Path) -> None:
    text = (site / "countries/index.html").read_text("utf-8")
    for column in ("Location", "Total cases", "Total deaths", "New cases last week",
                   "7-day incidence", "Population", "Cases in last 7 days"):  # fmt: skip
        assert f"<th>{column}</th>" in text
    assert 'data-page-length="25"' in text


def test_a_failed_build_keeps_the_old_site(tmp_path: Path, site: Path) -> None:
    empty = epicurves.Settings(home=tmp_path / "empty")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    with pytest.raises(epicurves.StoreError):
        build_site(empty, site)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


@pytest.mark.realdata
def test_real_site_pages_and_weight(real_site: tuple[epicurves.Settings, Path]) -> None:
    settings, site = real_site
    pages = list(site.glob("region/*/index.html"))
    assert len(pages) == len(epicurves.load_regions(settings=settings)) == 686
    sizes = {
        p.parent.name: sum(
            len(gzip.compress(f.read_bytes()))
            for f in (
                p,
                site / f"data/{p.parent.name}.js",
                site / f"data/{p.parent.name}.inc.js",
                site / f"data/{p.parent.name}.sig.js",
            )
            if f.is_file()
        )
        for p in pages
    }
    # a region page with its data, gzipped (as served): at most 60 KB
    assert max(sizes.values()) <= 60_000, max(sizes.items(), key=lambda kv: kv[1])
    # the whole site, notebooks included: at most 60 MB (180 MB when each region's numbers
    # were in its page, a JSON and a CSV file)
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    print(
        f"site: {total / 1e6:.1f} MB; largest region page with its data: {max(sizes.values())} bytes gz"
    )
    assert (
        site / "data/DE.sig.js"
    ).is_file()  # Germany's signals are in what is weighed
    assert total <= 60_000_000, total


def test_real_site_latest_days_show_r_also_where_the_data_script_leaves_it_out(
    real_site: tuple[epicurves.Settings, Path],
) -> None:
    settings, site = real_site
    text = (site / "data/DE.js").read_text("utf-8")
    # R is derived in the browser: not in the data script
    assert re.search(r'"derived":\[[^\]]*"r_rki"', text) and '"r_rki":[' not in text
    metrics = epicurves.load_metrics(["DE"], settings=settings).set_index("date")
    html = (site / "region/DE/index.html").read_text("utf-8")
    table = html[
        html.index('id="latest"') : html.index("</table>", html.index('id="latest"'))
    ]
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>(.*?)</tr>", table)
    shown = {
        day: re.findall(r'<td class="num">([^<]*)</td>', cells)[-1]
        for day, cells in rows
    }
    assert len(shown) == 28
    expected = {
        day: "" if pd.isna(r) else f"{r:.2f}"
        for day, r in metrics.loc[list(shown), "r_rki"].items()
        for day in [str(day.date())]
    }
    assert shown == expected
    assert any(shown.values())  # R is there on the days it has a value


def test_home_says_which_sources_are_live_and_which_frozen(site: Path) -> None:
    text = (site / "index.html").read_text("utf-8")
    live = text[
        text.index("<strong>Live</strong>") : text.index("<strong>Frozen</strong>")
    ]
    frozen = text[
        text.index("<strong>Frozen</strong>") : text.index("Maps and rankings")
    ]
    assert "rki-districts" in live and "jhu" not in live
    assert "jhu" in frozen and "nyt" in frozen and "rki" not in frozen
    assert not re.search(r"\.<strong>|\)\.Maps", text)  # sentences keep their spaces


def test_a_failed_state_write_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """c16e9d3's save_state left its temporary file when the write failed."""
    from epicurves.site.publish import BuildState, SiteFolder

    folder = SiteFolder(tmp_path / "site")
    folder.root.mkdir()
    state = BuildState(1, "f", "s", 1, {})

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("epicurves.files.os.replace", full_disk)
        with pytest.raises(OSError, match="No space left"):
            folder.save_state(state)
    assert list(folder.root.iterdir()) == []
    folder.save_state(state)
    assert [p.name for p in folder.root.iterdir()] == ["000001.state.json"]


def test_the_site_links_to_the_docs_and_each_chart_to_its_section(
    site: Path, signal_site: tuple[epicurves.Settings, Path]
) -> None:
    """The footer and About link to the documentation's address (a setting); each chart of a
    region page, the signal charts too, to the section of the docs that explains it."""
    from epicurves.charts.spec import CHART_DOCS, SIGNAL_CHARTS
    from epicurves.config import DEFAULT_DOCS_URL

    about = (site / "about/index.html").read_text("utf-8")
    assert f'<a href="{DEFAULT_DOCS_URL}">the documentation</a>' in about
    region = (site / "region/DE-09162/index.html").read_text("utf-8")
    assert f'<a href="{DEFAULT_DOCS_URL}">Documentation</a>' in region
    for label, href in CHART_DOCS:
        assert f'<a href="{DEFAULT_DOCS_URL}{href}">{label}</a>' in region
    _, signals = signal_site
    de = (signals / "region/DE/index.html").read_text("utf-8")
    drawn = [c for c in SIGNAL_CHARTS if f'id="{c.anchor}"' in de]
    assert len(drawn) >= 3
    for chart in drawn:
        assert f'href="{DEFAULT_DOCS_URL}{chart.docs}">How is this computed?</a>' in de


def test_the_docs_address_is_a_setting(tmp_path: Path, fixtures: Path) -> None:
    """Another address, or none (the links then go to the site's own Analysis page); an
    address that is not one is refused before anything is written."""
    from epicurves.site.build import build_site

    home = tmp_path / "home"
    epicurves.update(epicurves.Settings(home=home, mirror=fixtures), ["rki"])
    own = epicurves.Settings(home=home, docs_url="https://docs.example.org/epi/")
    build_site(own, tmp_path / "own", workers=1)
    page = (tmp_path / "own/region/DE/index.html").read_text("utf-8")
    assert (
        'href="https://docs.example.org/epi/guides/analysis.html#analysis-r">R</a>'
        in page
    )
    build_site(
        epicurves.Settings(home=home, docs_url=None), tmp_path / "none", workers=1
    )
    page = (tmp_path / "none/region/DE/index.html").read_text("utf-8")
    assert "Documentation</a>" not in page and "guides/" not in page
    assert '<a href="../../analysis/index.html">R</a>' in page
    bad = epicurves.Settings(home=home, docs_url="javascript:alert(1)/")
    with pytest.raises(epicurves.UsageError, match="EPICURVES_DOCS_URL"):
        build_site(bad, tmp_path / "bad", workers=1)
    assert not (tmp_path / "bad").exists()
