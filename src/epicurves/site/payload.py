"""Each region's numbers, stored once in the site as two small data scripts.

A region's series live in ``data/<id>.js`` (everything its page draws but the 7-day incidence)
and ``data/<id>.inc.js`` (the 7-day incidence: what peer lines, compare's default metric and the
maps read, so they load only that). Both are classic scripts of the site itself that register
their object on ``self.EPICURVES_DATA`` under ``"<id>"`` and ``"<id>.inc"``: they load from
``file://`` and under a ``script-src 'self'`` policy, where ``fetch()`` and JSON files do not.
The region page, compare, the peer lines and the page's CSV/JSON download buttons all read them.

The object (see :func:`decode`)::

    {"region_id", "name", "kind", "parent", "source", "population", "vintage",
     "provisional_days", "start": "YYYY-MM-DD", "days": N,
     "from": {series: index of its first value}, "series": {name: [values]},
     "derived": [names], "flags": [[index, "cases-gap;..."], ...]}

Values are aligned with the consecutive days ``start``, ``start + 1``, ... (``days`` of them),
offset by ``from`` (default 0); missing values are holes (``[1,,3]``), missing trailing values
are left out, a series without any value is left out, and ``0.5`` is written ``.5``. The
centred 7-day means of the charts are the trailing ones moved back three days, so they are not
stored; nor are the series listed in ``derived`` (:data:`DERIVED`): the trailing 7-day means,
growth factors and RKI's R of a region whose rounded values are exactly what the browser
computes from its stored daily counts (:func:`derive`, ``Epicurves.derive`` in
``static/site.js``, by the same floating-point steps), which is checked per region. Numbers keep the decimals a page shows (:data:`SERIES`); ``epicurves export`` gives
full precision.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ..analysis.registry import SITE_METRICS
from ..analysis.windows import series_starts, window_sums
from ..charts.spec import DERIVED as SPEC_DERIVED
from ..lazy import np, pa, pc, pd

__all__ = [
    "DERIVED",
    "INCIDENCE",
    "SERIES",
    "LazyValues",
    "RegionFiles",
    "data_script",
    "decode",
    "derive",
    "incidence",
    "region_files",
    "script_json",
]

#: Series stored, with the decimals kept (None: whole numbers): the daily counts, then the
#: metrics of the registry that the site stores, in their order.
SERIES: dict[str, int | None] = {
    "new_cases": None,
    "new_deaths": None,
    **{
        m.name: m.decimals for m in SITE_METRICS
    },  # incidence and R as RKI publishes them
}
#: The series of ``data/<id>.inc.js``; the others are in ``data/<id>.js``.
INCIDENCE = ("incidence_7d",)
#: Series the browser computes from the daily counts (:data:`epicurves.charts.spec.DERIVED`;
#: no least: -inf).
DERIVED: dict[str, tuple[str, int, int, float]] = {
    name: (daily, later, earlier, -math.inf if least is None else least)
    for name, (daily, later, earlier, least) in SPEC_DERIVED.items()
}
_HEAD = ("region_id", "name", "kind", "parent", "source", "population")


@dataclass(frozen=True)
class RegionFiles:
    """A region's two data scripts, and what its page shows as text."""

    data: str
    """``data/<id>.js``."""
    inc: str
    """``data/<id>.inc.js``."""
    vintage: str
    latest: list[dict[str, str]]
    """The last 28 days, newest first, formatted for people."""
    flags: list[tuple[str, str]]
    """(date, flags) of the flagged days, newest first."""


def _shift(
    values: np.ndarray, days: int, pos: np.ndarray, left: np.ndarray
) -> np.ndarray:
    """``values`` of ``days`` earlier (later, if negative) in the same region; NaN where that
    is outside it (``pos``: rows before in the region, ``left``: rows after)."""
    out = np.full(len(values), np.nan)
    if days >= 0:
        out[days:] = values[: len(values) - days]
        out[pos < days] = np.nan
    else:
        out[:days] = values[-days:]
        out[left < -days] = np.nan
    return out


def derive(
    name: str, daily: np.ndarray, pos: np.ndarray, left: np.ndarray
) -> np.ndarray:
    """A series of :data:`DERIVED` from the daily counts as stored (whole numbers), rounded
    as stored: the steps static/site.js takes, in the same order (``rint``: to even).

    >>> d = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
    >>> pos = np.arange(15); left = pos[::-1]
    >>> derive("new_cases_7d_mean", d, pos, left)[5:8].tolist()
    [nan, 4.0, 5.0]
    >>> derive("growth_factor_7d", d, pos, left)[-1].item()
    2.4
    """
    _, later, earlier, least = DERIVED[name]
    sums = _sums7(daily)
    sums[pos < 6] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        if earlier == 0:
            mean: np.ndarray = np.rint(sums / 7 * 10) / 10
            return mean
        top = _shift(sums, later, pos, left)
        bottom = _shift(sums, earlier, pos, left)
        ratio = top / bottom
    ratio[~np.isfinite(ratio) | ~(bottom >= least)] = np.nan
    out: np.ndarray = np.rint(ratio * 100) / 100
    return out


def _sums7(daily: np.ndarray) -> np.ndarray:
    """The sums of every 7 consecutive values, on the last day of each (NaN before, and
    where a window holds a NaN)."""
    sums = np.full(len(daily), np.nan)
    if len(daily) >= 7:
        sums[6:] = window_sums(daily, 7)
    return sums


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    same: np.ndarray = (a == b) | (np.isnan(a) & np.isnan(b))
    return same


def _texts(values: np.ndarray, decimals: int | None) -> pa.Array:
    """Numbers as their shortest text, rounded to ``decimals``, ``0.5`` as ``.5``; null where
    NaN or infinite.

    Each distinct number is formatted once (told apart by its bits: ``-0.0`` is written
    ``-0``), then spread to the rows: a series holds far fewer numbers than rows.

    >>> _texts(np.array([0.25, -0.04, -0.25, 12.0, np.nan, 0.25]), 1).to_pylist()
    ['.2', '-0', '-.2', '12', None, '.2']
    """
    bad = ~np.isfinite(values)
    if bad.all():
        return pa.nulls(len(values), pa.string())
    rounded = np.round(np.where(bad, 0, values), 0 if decimals is None else decimals)
    codes, uniques = pd.factorize(rounded.view(np.int64))
    texts = _number_texts(np.asarray(uniques).view(np.float64), decimals)
    return texts.take(pa.array(codes, mask=bad))


def _number_texts(rounded: np.ndarray, decimals: int | None) -> pa.Array:
    """Rounded numbers as their shortest text, ``0.5`` as ``.5``."""
    array = pa.array(rounded)
    if decimals is None:
        return array.cast(pa.int64()).cast(pa.string())
    text = array.cast(pa.string())
    fraction = (np.abs(rounded) < 1) & (rounded != 0)
    positive = pa.array(fraction & (rounded > 0))
    negative = pa.array(fraction & (rounded < 0))
    text = pc.if_else(positive, pc.utf8_slice_codeunits(text, 1), text)
    cut = pc.binary_join_element_wise("-", pc.utf8_slice_codeunits(text, 2), "")
    return pc.if_else(negative, cut, text)


def _day_texts(dates: np.ndarray) -> list[str]:
    """Dates as ``YYYY-MM-DD`` text.

    >>> _day_texts(np.array(["2021-03-01", "2021-03-02"], dtype="datetime64[s]"))
    ['2021-03-01', '2021-03-02']
    """
    texts: list[str] = np.datetime_as_string(
        dates.astype("datetime64[D]"), unit="D"
    ).tolist()
    return texts


def _people(value: float, decimals: int) -> str:
    """A number for a page: thousands separators, fixed decimals, empty where missing."""
    return "" if math.isnan(value) else f"{value:,.{decimals}f}"


def script_json(value: Any, *, sort_keys: bool = False) -> str:
    """JSON for a data script: compact, with no ``<``, ``>`` or ``&`` (names come from
    upstream; not even in a script file of its own)."""
    return (
        json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys
        )
        .replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
    )


def data_script(key: str, body: str) -> str:
    """The classic script registering the JSON text ``body`` on ``self.EPICURVES_DATA`` under
    ``key`` (so that it loads from ``file://`` and under ``script-src 'self'``)."""
    return (
        f"(self.EPICURVES_DATA=self.EPICURVES_DATA||{{}})[{json.dumps(key)}]={body};\n"
    )


def _script(key: str, head: dict[str, Any], series: str, tail: str) -> str:
    """The data script registering one object under ``key``."""
    return data_script(key, f'{script_json(head)[:-1]},"series":{{{series}}}{tail}}}')


def _series_texts(
    texts: dict[str, pa.Array], names: tuple[str, ...], bounds: list[int]
) -> tuple[list[dict[str, int]], list[str]]:
    """Per region (rows cut at ``bounds``): the offsets of its series' first values, and
    ``"name":[...]`` of each series with values, from its first value to its last (holes for
    the missing ones). Joined for all regions at once (vectorised)."""
    starts = np.asarray(bounds[:-1], dtype=np.int64)
    ends = np.asarray(bounds[1:], dtype=np.int64)
    offsets: list[dict[str, int]] = [{} for _ in starts]
    parts: list[list[str]] = [[] for _ in starts]
    for name in names:
        array = texts[name]
        valid = np.flatnonzero(np.asarray(pc.is_valid(array)))
        # first and last valid row of each region (none: first > last)
        first = (
            valid[np.minimum(np.searchsorted(valid, starts), len(valid) - 1)]
            if len(valid)
            else ends
        )
        last = (
            valid[np.maximum(np.searchsorted(valid, ends) - 1, 0)]
            if len(valid)
            else starts - 1
        )
        has = (first >= starts) & (first < ends) & (last >= first)
        lengths = np.where(has, last - first + 1, 0)
        cum = np.concatenate([[0], np.cumsum(lengths)])
        rows = np.repeat(first - cum[:-1], lengths) + np.arange(cum[-1])
        picked = pc.fill_null(array.take(pa.array(rows)), "")
        lists = pa.ListArray.from_arrays(pa.array(cum, type=pa.int32()), picked)
        joined = pc.binary_join(lists, ",").to_pylist()
        for r in np.flatnonzero(has).tolist():
            if first[r] > starts[r]:
                offsets[r][name] = int(first[r] - starts[r])
            parts[r].append(f'"{name}":[{joined[r]}]')
    return offsets, [",".join(p) for p in parts]


def _series_order(
    metrics: pd.DataFrame,
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[str, str]]]:
    """The rows sorted by source, region and date, the row where each series starts and its
    (source, region). Rows already in that order (as :func:`~epicurves.compute_metrics`
    returns them) are not sorted again."""
    frame = metrics.reset_index(drop=True)
    starts, keys, ordered = series_starts(frame)
    if not ordered:
        frame = frame.sort_values(["source", "region_id", "date"], kind="stable")
        frame = frame.reset_index(drop=True)
        starts, keys, _ = series_starts(frame)
    return frame, starts, keys


def _positions(bounds: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's number of rows before it and after it in its region."""
    lengths = np.diff(np.asarray(bounds, dtype=np.int64)).astype(np.int64)
    starts = np.repeat(np.asarray(bounds[:-1], dtype=np.int64), lengths)
    ends = np.repeat(np.asarray(bounds[1:], dtype=np.int64), lengths)
    rows = np.arange(bounds[-1], dtype=np.int64)
    return rows - starts, ends - 1 - rows


def region_files(
    metrics: pd.DataFrame,
    regions: pd.DataFrame,
    provisional_days: int,
    latest_days: int = 28,
) -> dict[str, RegionFiles]:
    """The data scripts and page text of every region, keyed by region id (shown source).

    The numbers are turned into text once for all regions (vectorised), then cut per region:
    this is what makes a region page cheap to build.
    """
    info = {
        (str(r["source"]), str(r["region_id"])): r
        for r in regions.to_dict(orient="records")
    }
    frame, starts, keys = _series_order(metrics)
    bounds = [*starts.tolist(), len(frame)]
    dates = frame["date"].to_numpy()
    floats = {
        c: frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        for c in ("cases", "deaths", *SERIES)
    }
    pos, left = _positions(bounds)
    stored = {c: np.round(floats[c], 0 if d is None else d) for c, d in SERIES.items()}
    derivable: dict[str, np.ndarray] = {}
    written: dict[
        str, np.ndarray
    ] = {}  # the derived series as the data script has them
    for name, (daily, *_) in DERIVED.items():
        same = _same(derive(name, stored[daily], pos, left), stored[name])
        # per region: every row the same
        bad = (
            np.add.reduceat((~same).astype(np.int64), bounds[:-1])
            if len(same)
            else np.zeros(0, dtype=np.int64)
        )
        derivable[name] = np.asarray(bad) == 0
        lengths = np.diff(np.asarray(bounds, dtype=np.int64)).astype(np.int64)
        written[name] = np.where(
            np.repeat(derivable[name], lengths), np.nan, floats[name]
        )
    # series left out of the data scripts (derivable) are still shown in the pages' tables
    texts = {
        c: _texts(floats[c] if c not in derivable else written[c], d)
        for c, d in SERIES.items()
    }
    main = tuple(c for c in SERIES if c not in INCIDENCE)
    main_offsets, main_bodies = _series_texts(texts, main, bounds)
    inc_offsets, inc_bodies = _series_texts(texts, INCIDENCE, bounds)
    flags = frame["flags"].fillna("").astype(str).to_numpy(dtype=object)
    position = np.arange(len(frame))
    shown = {
        "cases": (floats["cases"], 0),
        "new_cases": (floats["new_cases"], 0),
        "deaths": (floats["deaths"], 0),
        "new_deaths": (floats["new_deaths"], 0),
        "incidence": (floats["incidence_7d"], 1),
        "r_rki": (floats["r_rki"], 2),
    }
    out: dict[str, RegionFiles] = {}
    for number, (begin, end) in enumerate(itertools.pairwise(bounds)):
        key = keys[number]
        marked = position[begin:end][flags[begin:end] != ""]
        newest = range(end - 1, max(end - latest_days, begin) - 1, -1)
        # the days named: the first, the last, the newest shown, the flagged
        days = _day_texts(dates[[begin, end - 1, *newest, *marked]])
        first, last = days[0], days[1]
        latest_days_text = days[2 : 2 + len(newest)]
        flag_days = days[2 + len(newest) :]
        row = info.get(key)
        head: dict[str, Any] = {
            "region_id": key[1],
            "source": key[0],
            "name": None if row is None else str(row["name"]),
            "kind": None if row is None else str(row["kind"]),
            "parent": None
            if row is None or pd.isna(row["parent"])
            else str(row["parent"]),
            "population": None
            if row is None or pd.isna(row["population"])
            else int(row["population"]),
            "vintage": last,
            "provisional_days": provisional_days,
            "start": first,
            "days": end - begin,
        }
        flagged = [[int(i - begin), str(flags[i])] for i in marked]
        out[key[1]] = RegionFiles(
            data=_script(
                key[1],
                head | {"from": main_offsets[number]},
                main_bodies[number],
                ',"derived":'
                + json.dumps(
                    [n for n in DERIVED if derivable[n][number]], separators=(",", ":")
                )
                + ',"flags":'
                + json.dumps(flagged, separators=(",", ":")),
            ),
            inc=_script(
                key[1] + ".inc",
                head | {"from": inc_offsets[number]},
                inc_bodies[number],
                "",
            ),
            vintage=last,
            latest=[
                {"date": day, **{k: _people(v[i], d) for k, (v, d) in shown.items()}}
                for i, day in zip(newest, latest_days_text, strict=True)
            ],
            flags=[
                (day, str(flags[i]))
                for i, day in zip(marked[::-1], flag_days[::-1], strict=True)
            ],
        )
    return out


_PREFIX = re.compile(
    r'^\(self\.EPICURVES_DATA=self\.EPICURVES_DATA\|\|\{\}\)\[("[^"]*")\]='
)
_HOLE = re.compile(r"(?<=[\[,])(?=[,\]])")
_POINT = re.compile(r"(?<=[\[,:-])\.")


def _json_numbers(text: str) -> str:
    """The series of a data script as JSON: a hole is ``null``, ``.5`` is ``0.5`` (what
    :data:`_HOLE` and :data:`_POINT` match, replaced by plain text replacements: faster).

    >>> _json_numbers('"a":[,,1,,,.5,-.5,],"b":[]')
    '"a":[null,null,1,null,null,0.5,-0.5,null],"b":[null]'
    """
    for _ in range(2):  # a run of holes: every other one on each pass
        text = text.replace(",,", ",null,")
    for hole, filled in (("[,", "[null,"), (",]", ",null]"), ("[]", "[null]")):
        text = text.replace(hole, filled)
    for point in "[,:-":
        text = text.replace(point + ".", point + "0.")
    return text


class LazyValues(Sequence[float | None]):
    """A series of a data script as :func:`decode` gives it (None where missing), each value
    read from its text only when asked for: a map reads a few of thousands."""

    def __init__(self, tokens: list[str], first: int, days: int) -> None:
        self._tokens = tokens
        self._first = first
        self._days = days

    def __len__(self) -> int:
        return self._days

    @overload
    def __getitem__(self, index: int) -> float | None: ...
    @overload
    def __getitem__(self, index: slice) -> list[float | None]: ...
    def __getitem__(self, index: int | slice) -> float | list[float | None] | None:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._days))]
        if index < 0:
            index += self._days
        if not 0 <= index < self._days:
            raise IndexError(index)
        at = index - self._first
        if not 0 <= at < len(self._tokens) or not self._tokens[at]:
            return None
        token = self._tokens[at]
        # as JSON reads it once holes and points are mended: 12 an int, 1.5 and .5 floats
        number: float = float(token) if "." in token or "e" in token else int(token)
        return number

    def sample(self, positions: Iterable[int]) -> list[float | None]:
        """Its values at ``positions`` (None outside it or where missing): ``[self[i] for i in
        positions]`` in one pass, for the maps, which sample every region's series.

        >>> LazyValues(["1", "", ".5"], 2, 6).sample([0, 2, 3, 4, 9])
        [None, 1, None, 0.5, None]
        """
        tokens, first, days = self._tokens, self._first, self._days
        count = len(tokens)
        out: list[float | None] = []
        for index in positions:
            at = index - first
            token = tokens[at] if 0 <= index < days and 0 <= at < count else ""
            if not token:
                out.append(None)
            else:
                out.append(float(token) if "." in token or "e" in token else int(token))
        return out

    def known(self) -> tuple[int, int] | None:
        """The positions of its first and last value, if it has any."""
        tokens = self._tokens
        first = next((i for i, t in enumerate(tokens) if t), None)
        if first is None:
            return None
        last = next(i for i in range(len(tokens) - 1, -1, -1) if tokens[i])
        return self._first + first, self._first + last


def _split(text: str) -> tuple[str, str, str, str]:
    """A data script's key (JSON) and its object as three texts: before its series, the
    series' members, after."""
    match = _PREFIX.match(text)
    if match is None or not text.rstrip().endswith(";"):
        msg = "not an epicurves data script"
        raise ValueError(msg)
    body = text[match.end() : text.rstrip().rindex(";")]
    opening, _, rest = body.partition('"series":{')
    series_text, _, tail = rest.partition("}")
    return match.group(1), opening, series_text, tail


def incidence(text: str) -> tuple[str, LazyValues] | None:
    """The start date and the 7-day incidence series of a region's ``data/<id>.inc.js``
    (None if it has none): the values :func:`decode` gives, read lazily."""
    _, opening, series_text, tail = _split(text)
    head: dict[str, Any] = json.loads(opening + '"series":{}' + tail)
    found = re.search(r'"incidence_7d":\[([^\]]*)\]', series_text)
    if found is None:
        return None
    first = int(head["from"].get("incidence_7d", 0))
    values = LazyValues(found.group(1).split(","), first, int(head["days"]))
    return (str(head["start"]), values) if values.known() else None


def decode(text: str, *, dates: bool = True) -> tuple[str, dict[str, Any]]:
    """The key and object of a data script, with its series expanded to ``days`` values
    (None where missing) and, unless ``dates`` is false, ``dates`` added: what the page's JSON
    download gives.

    >>> key, data = decode('(self.EPICURVES_DATA=self.EPICURVES_DATA||{})["X"]={"start":"2021-01-01",'
    ...     '"days":3,"from":{"r":1},"series":{"n":[1,,-.5],"r":[.25]},"flags":[]};')
    >>> key, data["dates"], data["series"]
    ('X', ['2021-01-01', '2021-01-02', '2021-01-03'], {'n': [1, None, -0.5], 'r': [None, 0.25, None]})
    """
    key, opening, series_text, tail = _split(text)
    series_text = _json_numbers(series_text)
    data: dict[str, Any] = json.loads(opening + '"series":{' + series_text + "}" + tail)
    days, offsets = int(data["days"]), data.pop("from")
    for name, values in data["series"].items():
        first = int(offsets.get(name, 0))
        data["series"][name] = (
            [None] * first + values + [None] * (days - first - len(values))
        )
    pos = np.arange(days)
    for name in data.pop("derived", []):
        daily = data["series"].get(DERIVED[name][0], [None] * days)
        values = derive(name, np.array(daily, dtype=float), pos, pos[::-1])
        if not np.isnan(values).all():
            data["series"][name] = [
                None if math.isnan(v) else (int(v) if v.is_integer() else v)
                for v in values.tolist()
            ]
    if dates:
        start = dt.date.fromisoformat(data["start"])
        data["dates"] = [
            (start + dt.timedelta(days=i)).isoformat() for i in range(days)
        ]
    return json.loads(key), data
