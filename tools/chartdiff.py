"""Open the same chart pages of two built sites in Chromium and compare what their charts hold: every named source's data, range, figure title and visibility, legend, log ticker and tooltip.

A development tool beside ``tools/sitediff.py`` (which compares files; this compares what the
page scripts make of them in a browser)::

    python tools/sitediff.py c16e9d3 HEAD --keep /tmp/sd     # builds /tmp/sd/old, /tmp/sd/new
    python tools/chartdiff.py /tmp/sd/old/site /tmp/sd/new/site

or ``python tools/sitediff.py c16e9d3 HEAD --charts``, which runs it on the two sites it built.
Each page (:data:`PAGES`: region pages in their default view and in a log, counts, 12-week
view, the compare page, three maps) is opened from disk in headless Chromium (Debian's
``/usr/bin/chromium``, Playwright), waited for until its scripts say they are done
(``data-*-ready`` flags), and read by :data:`READ`: every named model of every Bokeh
document, keyed by type and name. Models named on one side only are listed; the others are
compared value for value (numbers exactly; not-finite numbers read as null). Exit status 0
when every page holds the same, 1 otherwise, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

#: (page, URL fragment): regions with deaths, signals and peers (DE), a district (DE-09162),
#: a state from two sources (US-CA), a country without signals (FR), a German state (DE-BY).
PAGES: tuple[tuple[str, str], ...] = (
    *(
        (f"region/{region}/index.html", fragment)
        for region in ("DE", "DE-09162", "US-CA", "FR", "DE-BY")
        for fragment in ("", "#scale=log&per=count&window=84")
    ),
    ("compare/index.html", ""),
    ("maps/index.html", ""),
    ("maps/germany/index.html", ""),
    ("maps/districts/index.html", ""),
)

#: What a page's charts hold: every named model of the kinds below, in every Bokeh document.
READ = """() => {
  const plain = v => Array.from(v, x => typeof x === 'number' && !Number.isFinite(x) ? null : x);
  const out = {};
  for (const doc of Bokeh.documents) {
    for (const m of doc.all_models) {
      if (!m.name) continue;
      const t = m.type;
      let v;
      if (t === 'ColumnDataSource') {
        v = Object.fromEntries(Object.entries(m.data).map(([k, a]) => [k, plain(a)]));
      } else if (t === 'Range1d' || t === 'DataRange1d') {
        v = [m.start, m.end, m.reset_start, m.reset_end, m.bounds ? plain(m.bounds) : null];
      } else if (t === 'Figure' || t === 'Plot') {
        v = {title: m.title ? m.title.text : null, visible: m.visible};
      } else if (t === 'Legend') {
        v = m.items.map(i => i.label ? i.label.value : null);
      } else if (t === 'FixedTicker') {
        v = plain(m.ticks);
      } else if (t === 'HoverTool') {
        v = m.tooltips;
      } else {
        continue;
      }
      out[t + ' ' + m.name] = v;
    }
  }
  return out;
}"""

#: The flags a page sets when its scripts are done, by the element that says it has them.
READY = (
    ("#charts", "all-charts-ready"),
    ("#charts", "peers-ready"),
    ("#signals-config", "signals-ready"),
    ("#compare", "compare-ready"),
    ("#map-date", "map-ready"),
)


def read_page(
    browser: Any, site: Path, page_path: str, fragment: str
) -> dict[str, Any]:
    """What the charts of one page hold, once its scripts are done."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / page_path).resolve().as_uri() + fragment)
    page.wait_for_load_state("load")
    for selector, flag in READY:
        if page.locator(selector).count():
            page.wait_for_selector(f"body[data-{flag}='1']", timeout=30_000)
    state: dict[str, Any] = page.evaluate(READ)
    page.close()
    if errors:
        state["page errors"] = errors
    return state


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per model that differs, or is named on one side only."""
    out = [f"only in OLD: {key}" for key in sorted(old.keys() - new.keys())]
    out += [f"only in NEW: {key}" for key in sorted(new.keys() - old.keys())]
    for key in sorted(old.keys() & new.keys()):
        if old[key] != new[key]:
            a, b = json.dumps(old[key])[:150], json.dumps(new[key])[:150]
            out.append(f"differs: {key}\n      - {a}\n      + {b}")
    return out


def compare_sites(old: Path, new: Path) -> dict[str, list[str]]:
    """The differences of each page of :data:`PAGES` present in both sites."""
    from playwright.sync_api import sync_playwright

    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--headless", "--disable-gpu"],
        )
        for page_path, fragment in PAGES:
            if not (old / page_path).exists() or not (new / page_path).exists():
                continue
            found[page_path + fragment] = differences(
                read_page(browser, old, page_path, fragment),
                read_page(browser, new, page_path, fragment),
            )
        browser.close()
    return found


def report(found: dict[str, list[str]]) -> int:
    """Print the pages and their differences; the exit status."""
    for page, lines in found.items():
        print(f"{page}: {'same' if not lines else f'{len(lines)} differences'}")
        for line in lines:
            print(f"  {line}")
    differ = sum(bool(lines) for lines in found.values())
    print(f"charts: {len(found) - differ} pages the same, {differ} differ")
    return 1 if differ else 0


def unavailable() -> str | None:
    """Why the charts cannot be compared here (no Chromium, no Playwright), or None."""
    if not Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install '.[test]')"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the first site folder")
    parser.add_argument("new", type=Path, help="the second site folder")
    args = parser.parse_args(argv)
    for site in (args.old, args.new):
        if not (site / "index.html").exists():
            print(
                f"chartdiff: {site} is not a built site (no index.html)",
                file=sys.stderr,
            )
            return 2
    reason = unavailable()
    if reason is not None:
        print(f"chartdiff: {reason}", file=sys.stderr)
        return 2
    return report(compare_sites(args.old, args.new))


if __name__ == "__main__":
    sys.exit(main())
