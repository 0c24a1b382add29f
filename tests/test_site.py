"""The static site: page contexts, the build (pages, links, escaping, downloads) and the server."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import epicurves
from conftest import ATTACK as EVIL
from epicurves.site import pages
from epicurves.site.build import build_site
from epicurves.site.serve import make_server


@pytest.fixture(scope="module")
def site(attacked_site: tuple[epicurves.Settings, Path]) -> Path:
    """The site built from the fixture mirror, with an attack in a district's name."""
    settings, out = attacked_site
    assert len(list(out.glob("region/*/index.html"))) == len(
        epicurves.load_regions(settings=settings)
    )
    return out


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "data-url") and value:
                self.links.append(value)


def _html(site: Path) -> Iterator[Path]:
    return site.rglob("*.html")


def test_every_page_exists(site: Path) -> None:
    for path in ("index.html", "regions/index.html", "countries/index.html", "germany/index.html",
                 "us/index.html", "compare/index.html", "articles/index.html", "analysis/index.html",
                 "about/index.html", "region/DE/index.html", "region/DE-09162/index.html",
                 "region/US-CA/index.html", "data/DE.json", "data/DE.csv"):  # fmt: skip
        assert (site / path).is_file(), path


def test_no_broken_internal_link(site: Path) -> None:
    checked = 0
    for page in _html(site):
        parser = Links()
        parser.feed(page.read_text("utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "mailto:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)} links to missing {link}"
            assert site.resolve() in target.parents, f"{link} leaves the site"
            checked += 1
    assert checked > 500


def test_nothing_comes_from_another_host(site: Path) -> None:
    for page in _html(site):
        text = page.read_text("utf-8")
        for match in re.finditer(r'(?:src|href)="(https?:)?//([^"/]+)', text):
            assert match.group(0).startswith('href="'), (
                f"{page}: {match.group(0)} loads from another host"
            )


def test_region_names_are_escaped(site: Path) -> None:
    for page in ("region/DE-09162/index.html", "germany/index.html", "regions/index.html",
                 "region/DE-BY/index.html", "compare/index.html"):  # fmt: skip
        text = (site / page).read_text("utf-8")
        assert "alert" in text, page
        assert EVIL not in text, page
        assert '<script>alert("x")' not in text, page
    payload = (site / "region/DE-09162/index.html").read_text("utf-8")
    assert (
        "\\u003cscript\\u003e" in payload
    )  # tojson escapes < and > inside the script tag


def test_region_page_and_payload(site: Path) -> None:
    text = (site / "region/DE-09162/index.html").read_text("utf-8")
    assert "DE-BY" in text  # breadcrumb to the parent state
    data = json.loads((site / "data/DE-09162.json").read_text("utf-8"))
    assert data["region_id"] == "DE-09162"
    assert len(data["dates"]) == len(data["new_cases"]) == len(data["incidence_7d"])
    csv = (site / "data/DE-09162.csv").read_text("utf-8").splitlines()
    assert csv[0].startswith("date,cases,deaths,new_cases,new_deaths")
    assert len(csv) == len(data["dates"]) + 1


def test_region_page_weight(site: Path) -> None:
    for page in site.glob("region/*/index.html"):
        assert len(gzip.compress(page.read_bytes())) <= 60_000, page


def test_tables_have_oscovida_columns(site: Path) -> None:
    text = (site / "countries/index.html").read_text("utf-8")
    for column in ("Location", "Total cases", "Total deaths", "New cases last week",
                   "7-day incidence", "Population", "Cases in last 7 days"):  # fmt: skip
        assert f"<th>{column}</th>" in text
    assert 'data-page-length="25"' in text


def test_incidence_rows_highlighted_above_threshold() -> None:
    import pandas as pd

    summary = pd.DataFrame({"region_id": ["A", "B"], "name": ["A", "B"], "kind": "district",
                            "parent": "DE-BY", "population": [1000, 1000],
                            "new_cases_last_week": [1, 0], "incidence_7d": [50.0, 49.9]})  # fmt: skip
    rows = pages.incidence_table(summary, {"DE-BY": "Bayern"}, threshold=50)
    assert [r["highlight"] for r in rows] == [True, False]
    assert rows[0]["context"] == "Bayern"
    assert rows[0]["cells"][2]["text"] == "50.0"


@pytest.fixture
def server(site: Path) -> Iterator[tuple[str, int]]:
    httpd = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[0], httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def _request(address: tuple[str, int], method: str, path: str) -> int:
    connection = http.client.HTTPConnection(*address, timeout=5)
    connection.request(method, path)
    status = connection.getresponse().status
    connection.close()
    return status


def test_server_is_read_only_and_stays_in_the_folder(
    server: tuple[str, int], site: Path
) -> None:
    assert server[0] == "127.0.0.1"
    assert _request(server, "GET", "/index.html") == 200
    assert _request(server, "HEAD", "/region/DE/index.html") == 200
    assert _request(server, "POST", "/index.html") == 501
    assert _request(server, "PUT", "/index.html") == 501
    assert _request(server, "DELETE", "/index.html") == 501
    assert _request(server, "GET", "/static/") == 404  # no listing
    (site.parent / "secret.txt").write_text("secret")
    assert _request(server, "GET", "/../secret.txt") == 404
    assert _request(server, "GET", "/%2e%2e/secret.txt") == 404
    (site / "link").symlink_to(site.parent)
    try:
        assert _request(server, "GET", "/link/secret.txt") == 404
    finally:
        (site / "link").unlink()


def test_a_failed_build_keeps_the_old_site(tmp_path: Path, site: Path) -> None:
    empty = epicurves.Settings(home=tmp_path / "empty")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    with pytest.raises(epicurves.StoreError):
        build_site(empty, site)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


@pytest.mark.realdata
def test_real_site_pages_and_weight(tmp_path: Path, shared_data: Path) -> None:
    settings = epicurves.Settings(home=tmp_path / "home", mirror=shared_data)
    epicurves.update(settings)
    report = build_site(settings, tmp_path / "site")
    assert report.region_pages == len(epicurves.load_regions(settings=settings)) == 686
    sizes = {
        p.parent.name: len(gzip.compress(p.read_bytes()))
        for p in (tmp_path / "site").glob("region/*/index.html")
    }
    assert len(sizes) == 686
    assert max(sizes.values()) <= 60_000, max(sizes.items(), key=lambda kv: kv[1])


def test_summary_rows_link_and_format() -> None:
    import pandas as pd

    summary = pd.DataFrame({"region_id": ["DE-BY"], "name": [EVIL], "kind": "state", "parent": "DE",
                            "total_cases": [1234567], "total_deaths": [pd.NA], "new_cases_last_week": [700.0],
                            "incidence_7d": [5.33], "week_change_pct": [-12.4], "r_rki": [0.91],
                            "r_cori": [float("nan")]})  # fmt: skip
    (row,) = pages.summary_table(
        summary, {"DE-BY": [1.0, 2.0, float("nan"), 4.0]}, {"DE": "Germany"}
    )
    assert row["href"] == "region/DE-BY/index.html"
    assert row["name"] == EVIL  # plain text here: the template escapes it
    assert row["context"] == "Germany"
    texts = [c["text"] for c in row["cells"]]
    assert texts == [
        "1,234,567",
        "",
        "700",
        "5.3",
        "-12 %",
        "0.91",
    ]  # R falls back to RKI's
    assert row["cells"][1]["order"] == "-1e300"  # missing sorts last
    assert row["spark"].count(",") == 3  # three known weeks drawn


def test_region_notebook_runs_on_the_public_api(
    attacked_site: tuple[epicurves.Settings, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from epicurves.notebooks.generate import code_cells

    settings, out = attacked_site
    notebook = json.loads((out / "notebooks" / "DE-09162.ipynb").read_text("utf-8"))
    assert notebook["nbformat"] == 4
    assert EVIL not in notebook["cells"][0]["source"]  # the name is escaped in Markdown
    sources = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
    assert sources == [c.strip("\n") for c in code_cells("DE-09162")]
    monkeypatch.setenv("EPICURVES_HOME", str(settings.home))
    monkeypatch.setenv("EPICURVES_PRECEDENCE", ",".join(settings.precedence))
    namespace: dict[str, object] = {}
    for source in sources[
        :3
    ]:  # the data cells; the last one draws with Bokeh in Jupyter
        exec(compile(source, "<notebook>", "exec"), namespace)
    metrics = namespace["metrics"]
    assert set(metrics["region_id"]) == {"DE-09162"}  # type: ignore[index]
    assert len(namespace["weekly"]) > 0  # type: ignore[arg-type]
