"""German districts from the table OSCOVIDA used (jgehrcke/covid-19-germany-gae).

``cases-rki-by-ags.csv`` is wide: one row per day (17:00 UTC timestamps), one column per district
(AGS without its leading zero), cumulative RKI case counts; ``ags.json`` gives each district's
name, state and population. Districts are ``DE-`` + five-digit AGS (``DE-09162``); Berlin is
``DE-11000`` and its twelve boroughs ``DE-11001`` ... ``DE-11012`` are its children. States
(``DE-BY``) and Germany (``DE``) are the sums of their districts (boroughs not counted twice).
This table has no deaths; it ends in May 2022.

Names: districts keep ags.json's (``SK München``), but for Berlin as a whole (11000), which
ags.json calls ``Berlin`` like the state: it is ``SK Berlin``, as in the RKI district source, so
that each name is given once (``Berlin`` stays the state's name, not an alias of the district).
States are named as in :mod:`.geo` (``Bavaria``, the German name an alias).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from ..lazy import np, pd
from .base import Source, SourceData, UpstreamFile
from .cells import (
    consecutive_days,
    date_column,
    duplicated_rows,
    missing_counts,
    repeated,
    sum_known,
    wide_counts,
)
from .geo import DE_ALIASES, DE_STATES, de_state_name
from .readers import open_text, read_csv

__all__ = ["DISTRICT_NAMES", "GERMANY"]

_BASE = "https://raw.githubusercontent.com/jgehrcke/covid-19-germany-gae/master/"
CASES = UpstreamFile("germany", "cases-rki-by-ags.csv", _BASE + "cases-rki-by-ags.csv")
AGS = UpstreamFile("germany", "ags.json", _BASE + "ags.json")
BOROUGHS = frozenset(str(a) for a in range(11001, 11013))
#: District name as ags.json writes it -> display name, where the two differ.
DISTRICT_NAMES: dict[str, str] = {"Berlin": "SK Berlin"}


def read_ags(path: Path, source: Source) -> dict[str, dict[str, object]]:
    """Read ``ags.json``: AGS (five digits) -> name, state, population."""
    ref = source.file(AGS.name)
    text = open_text(path, ref)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON ({exc.msg})"
        raise ref.error(msg, row=exc.lineno) from exc
    if not isinstance(data, dict):
        msg = "expected a JSON object keyed by AGS"
        raise ref.error(msg)
    out: dict[str, dict[str, object]] = {}
    for key, entry in data.items():
        if not (isinstance(entry, dict) and str(key).isdigit()):
            msg = f"entry {key!r}: expected an AGS number mapped to an object"
            raise ref.error(msg)
        population = entry.get("population")
        if population is not None and not (
            isinstance(population, int) and population > 0
        ):
            msg = f"entry {key!r}: population is {population!r}, expected a positive whole number"
            raise ref.error(msg)
        out[str(key).zfill(5)] = entry
    return out


def _district_name(entry: Mapping[str, object], ags: str) -> str:
    """The display name of the district ``ags`` with ags.json entry ``entry``.

    >>> _district_name({"name": "Berlin"}, "11000"), _district_name({}, "09162")
    ('SK Berlin', 'AGS 09162')
    """
    name = str(entry.get("name", f"AGS {ags}"))
    return DISTRICT_NAMES.get(name, name)


def parse(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Districts, states and Germany from the jgehrcke district table."""
    notes: list[str] = []
    name = CASES.name
    ref = source.file(name)
    frame = read_csv(
        paths[name],
        ref,
        required=("time_iso8601",),
        text_columns=["time_iso8601"],
    )
    frame["time_iso8601"] = frame["time_iso8601"].str.slice(0, 10)
    duplicated_rows(frame, ["time_iso8601"], ref)
    frame["time_iso8601"] = date_column(frame, "time_iso8601", ref, fmt="%Y-%m-%d")
    consecutive_days(frame, None, "time_iso8601", ref)
    dates = pd.DatetimeIndex(frame["time_iso8601"])
    ags_columns = [c for c in frame.columns if c.isdigit()]
    ignored = [
        c
        for c in frame.columns
        if not c.isdigit() and c not in ("time_iso8601", "sum_cases")
    ]
    if ignored:
        notes.append(f"{name}: ignored columns that are not AGS codes: {ignored}")
    if not ags_columns:
        msg = "no district columns: expected columns named by AGS code"
        raise ref.error(msg)
    counts = wide_counts(frame, ags_columns, ref)
    counts.columns = [c.zfill(5) for c in ags_columns]
    for column in ags_columns:
        if column.zfill(5)[:2] not in DE_STATES:
            msg = f"column {column!r} is not a district AGS"
            raise ref.error(
                msg, row=1, column=column, expected="an AGS of state 01 ... 16"
            )
    info = read_ags(paths[AGS.name], source)

    regions = []
    for ags in counts.columns:
        entry = info.get(ags)
        if entry is None:
            notes.append(f"DE-{ags}: not in {AGS.name}; name and population unknown")
            entry = {}
        parent = "DE-11000" if ags in BOROUGHS else f"DE-{DE_STATES[ags[:2]][0]}"
        regions.append(
            {
                "region_id": f"DE-{ags}",
                "name": _district_name(entry, ags),
                "kind": "district",
                "parent": parent,
                "population": entry.get("population", pd.NA),
            }
        )
    missing = sorted(set(info) - set(counts.columns))
    if missing:
        notes.append(f"{AGS.name}: no case data for AGS {', '.join(missing)} (skipped)")

    districts = counts.loc[:, [c for c in counts.columns if c not in BOROUGHS]]
    state_key = np.array([c[:2] for c in districts.columns])
    states = districts.T.groupby(state_key).sum(min_count=1).T
    pops = {r["region_id"]: r["population"] for r in regions}
    for key in states.columns:
        code = DE_STATES[key][0]
        members = [pops[f"DE-{c}"] for c in districts.columns if c.startswith(key)]
        regions.append(
            {
                "region_id": f"DE-{code}",
                "name": de_state_name(key),
                "kind": "state",
                "parent": "DE",
                "population": sum_known(members, require_all=True),
            }
        )
    states.columns = [f"DE-{DE_STATES[k][0]}" for k in states.columns]
    national = states.sum(axis=1, min_count=1).rename("DE")
    state_pops = [r["population"] for r in regions if r["kind"] == "state"]
    regions.append(
        {
            "region_id": "DE",
            "name": "Germany",
            "kind": "country",
            "parent": pd.NA,
            "population": sum_known(state_pops, require_all=True),
        }
    )

    wide = pd.concat(
        [
            counts.set_axis([f"DE-{c}" for c in counts.columns], axis=1),
            states,
            national,
        ],
        axis=1,
    )
    observations = pd.DataFrame(
        {
            "region_id": repeated(list(wide.columns), len(dates)),
            "date": np.tile(dates.to_numpy(), wide.shape[1]),
            "cases": pd.array(wide.to_numpy().T.reshape(-1), dtype="Int64"),
            "deaths": missing_counts(len(dates) * wide.shape[1]),
        }
    )
    return SourceData(observations, pd.DataFrame(regions), notes)


GERMANY = Source(
    name="germany",
    description="RKI case counts per German district as collected by jgehrcke/covid-19-germany-gae "
    "(the table OSCOVIDA used; snapshot ending 2022-05-16 in the demo data); states and Germany "
    "as sums.",
    licence="MIT (jgehrcke/covid-19-germany-gae); case data Robert Koch-Institut; population Destatis",
    homepage="https://github.com/jgehrcke/covid-19-germany-gae",
    files=(CASES, AGS),
    parse_files=parse,
    live=False,
    interval_days=None,
    aliases=DE_ALIASES,
)
