"""Reading the inputs (an npm package's TopoJSON and version, JHU's lookup table) and
writing a map's compact JSON."""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .constants import PolygonRings, Topology

# --- output ------------------------------------------------------------------------------


def number(v: float) -> float | int:
    return int(v) if v.is_integer() else v


def region_json(region: str, name: str, polygons: list[PolygonRings]) -> dict[str, Any]:
    return {
        "id": region,
        "name": name,
        "xs": [[[number(x) for x, _ in ring] for ring in p] for p in polygons],
        "ys": [[[number(y) for _, y in ring] for ring in p] for p in polygons],
    }


def write_map(
    path: Path,
    *,
    name: str,
    source: str,
    licence: str,
    projection: str,
    notes: list[str],
    regions: dict[str, tuple[str, list[PolygonRings]]],
) -> None:
    points = [pt for _, ps in regions.values() for p in ps for ring in p for pt in ring]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    document = {
        "name": name,
        "source": source,
        "licence": licence,
        "projection": projection,
        "bounds": [number(v) for v in (min(xs), min(ys), max(xs), max(ys))],
        "notes": notes,
        "regions": [region_json(r, *regions[r]) for r in sorted(regions)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    print(f"{path}: {len(regions)} regions, {path.stat().st_size} bytes")


def package_of(path: Path) -> str:
    """``name@version`` from the package.json next to an npm package's file."""
    manifest = path.parent / "package.json"
    if not manifest.is_file():
        msg = f"{manifest} is missing: pass the file inside its unpacked npm package"
        raise SystemExit(msg)
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    return f"{meta['name']}@{meta['version']}"


def load(path: Path) -> Topology:
    data: Topology = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- JHU ids -----------------------------------------------------------------------------


@dataclass
class Lookup:
    """ISO 3166-1 numeric -> alpha-2 as JHU's lookup table has it."""

    countries: dict[str, str]  # ISO numeric ("004") -> iso2, country rows
    by_uid: dict[str, str]  # JHU UID as ISO numeric -> iso2, country rows
    by_name: dict[str, str]  # Country_Region -> iso2, country rows
    territories: dict[str, tuple[str, str, str]]  # ISO numeric -> (iso2, name, country)
    notes: list[str]


def read_lookup(path: Path) -> Lookup:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    countries: dict[str, str] = {}
    by_uid: dict[str, str] = {}
    by_name: dict[str, str] = {}
    notes: list[str] = []
    top = [r for r in rows if not r["Province_State"] and r["iso2"] and r["code3"]]
    for r in top:
        code, uid = r["code3"].zfill(3), r["UID"].zfill(3)
        by_name[r["Country_Region"]] = r["iso2"]
        by_uid[uid] = r["iso2"]
        if code in countries and countries[code] != r["iso2"]:
            # JHU's Palau row has code3 8, Albania's: keep the row whose UID is the code.
            notes.append(
                f"JHU lookup: code3 {int(code)} on both {countries[code]} and "
                f"{r['iso2']} ({r['Country_Region']}); kept the row whose UID is {int(code)}"
            )
            if uid != code:
                continue
        countries[code] = r["iso2"]
    iso2_of_country = {r["Country_Region"]: r["iso2"] for r in top}
    territories: dict[str, tuple[str, str, str]] = {}
    for r in rows:
        if (
            r["Province_State"]
            and not r["Admin2"]
            and r["iso2"]
            and r["iso2"] != iso2_of_country.get(r["Country_Region"])
            and r["UID"] == r["code3"]
        ):
            territories[r["code3"].zfill(3)] = (
                r["iso2"],
                r["Province_State"],
                r["Country_Region"],
            )
    return Lookup(countries, by_uid, by_name, territories, notes)
