"""What the store knows of a source's stored data (:class:`SourceMeta`), and the per-region digests that tell which regions changed."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SourceMeta", "StagedSource", "region_digests", "signal_digests"]


@dataclass
class SourceMeta:
    """What is known about one source's stored data.

    >>> meta = Store(Settings.from_env().store_dir).meta()["rki"]
    >>> meta.first_date, meta.vintage, meta.rows, meta.regions
    ('2021-03-01', '2021-03-12', 12, 1)
    >>> sorted(meta.files)
    ['COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv', 'COVID-19-Todesfaelle_Deutschland.csv']
    """

    source: str
    files: dict[str, dict[str, str]]
    """Upstream file name -> ``url`` (where it came from), ``sha256``, ``retrieved_at``."""
    updated_at: str
    """When this data was stored (ISO 8601, UTC)."""
    first_date: str
    vintage: str
    """The last date with data: how current the source is."""
    rows: int
    regions: int
    notes: list[str] = field(default_factory=list)
    changed_at: str = ""
    """When the data (not only the files' bytes) last changed (ISO 8601, UTC)."""
    signals: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Signal name -> ``first_date``, ``vintage`` (its last date), ``rows`` and ``regions``,
    for sources that provide signals."""
    parser: str = ""
    """Fingerprint of the code that parsed the files (:func:`epicurves.sources.parser_fingerprint`):
    when it differs, the next update parses the same files again (new names, fixes)."""
    releases: list[str] = field(default_factory=list)
    """A source with releases: the dates (YYYY-MM-DD) of every release stored, oldest first."""
    replaced: list[dict[str, str]] = field(default_factory=list)
    """Stored releases an ``update --force`` replaced: ``release``, ``replaced_at`` and the
    first difference (``difference``)."""

    @property
    def content_hash(self) -> str:
        """One hash of all the source's upstream files (their SHA-256s, combined)."""
        joined = "".join(f"{k}:{v['sha256']};" for k, v in sorted(self.files.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, including the combined content hash."""
        return asdict(self) | {"content_hash": self.content_hash}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceMeta:
        """Inverse of :meth:`to_dict`."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        meta = cls(**fields)
        if not meta.changed_at:
            meta.changed_at = meta.updated_at
        return meta


def region_digests(observations: pd.DataFrame) -> dict[str, str]:
    """A content digest of each region's stored series (dates, cumulative cases and deaths).

    The daily values and flags follow from these, so equal digests mean equal data. The digest
    hashes the raw numbers (missing as a sentinel), so it does not depend on library versions.
    ``observations`` is one source's table, sorted by region and date as the store keeps it.
    """
    import numpy as np

    if observations.empty:
        return {}
    starts, region = _runs(observations["region_id"])
    ends = np.r_[starts[1:], len(observations)]
    missing = np.iinfo(np.int64).min
    columns = [
        observations["date"].to_numpy().astype("datetime64[s]").astype(np.int64),
        *(
            observations[c].to_numpy(dtype=np.int64, na_value=missing)
            for c in ("cases", "deaths")
        ),
    ]
    block = np.ascontiguousarray(np.column_stack(columns))
    out: dict[str, str] = {}
    for name, begin, end in zip(region, starts.tolist(), ends.tolist(), strict=True):
        digest = hashlib.blake2b(block[begin:end].tobytes(), digest_size=8)
        out[name] = digest.hexdigest()
    return out


def _runs(regions: pd.Series) -> tuple[Any, list[str]]:
    """Where each run of rows of one region starts, and its region (as text)."""
    import numpy as np
    import pandas as pd

    codes = pd.factorize(regions)[0]  # codes, not text, to compare: much faster
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return starts, [str(r) for r in regions.iloc[starts].astype(str)]


def signal_digests(signals: pd.DataFrame) -> dict[str, str]:
    """A content digest of each region's stored signals (every column but ``source``).

    ``signals`` is one source's table sorted by region (as :func:`epicurves.model.tidy_signals`
    leaves it). Like :func:`region_digests`, it hashes raw numbers and text, independent of
    library versions.
    """
    import numpy as np
    import pandas as pd

    if signals.empty:
        return {}
    starts, region = _runs(signals["region_id"])
    ends = np.r_[starts[1:], len(signals)]
    numbers = np.ascontiguousarray(
        np.column_stack(
            [
                signals["date"].to_numpy().astype("datetime64[s]").astype(np.int64),
                *(_float_bits(signals[c]) for c in ("value", "lo", "hi")),
            ]
        )
    )
    columns = ("signal", "pathogen", "resolution", "unit", "age_group", "estimate")
    coded = [pd.factorize(signals[c]) for c in columns]
    out: dict[str, str] = {}
    for name, begin, end in zip(region, starts.tolist(), ends.tolist(), strict=True):
        digest = hashlib.blake2b(numbers[begin:end].tobytes(), digest_size=8)
        for codes, uniques in coded:
            # codes local to the region, in the order of their labels: a region's digest
            # does not depend on the labels of the other regions
            used, local = np.unique(codes[begin:end], return_inverse=True)
            labels = [str(uniques[c]) if c >= 0 else "\x00" for c in used.tolist()]
            rank = np.argsort(np.argsort(np.array(labels, dtype=object)))
            digest.update("\x1e".join(sorted(labels)).encode() + b"\x1d")
            digest.update(rank[local].astype(np.int64).tobytes())
        out[name] = digest.hexdigest()
    return out


def _float_bits(values: pd.Series) -> Any:
    """Floats as int64 bit patterns for hashing: every missing value (any NaN) the same
    sentinel and -0.0 as 0.0, so equal data hash alike."""
    import numpy as np

    floats = (
        values.to_numpy(dtype="float64", na_value=np.nan) + 0.0
    )  # -0.0 + 0.0 is 0.0
    bits = floats.view(np.int64).copy()
    bits[np.isnan(floats)] = np.iinfo(np.int64).min
    return bits


@dataclass(frozen=True)
class StagedSource:
    """A source's new tables, written under fresh names but not yet part of a generation."""

    meta: SourceMeta
    files: dict[str, str]
    """``observations`` and ``regions`` -> file name in the store folder."""
    digests: dict[str, str]
    """Region id -> content digest of its series (:func:`region_digests`)."""
    signal_digests: dict[str, str] = field(default_factory=dict)
    """Region id -> content digest of its signals (:func:`signal_digests`)."""
    releases: tuple[str, ...] = ()
    """A source with releases: the files of its history (:mod:`epicurves.releases`), oldest
    first; those written by this stage are also in ``files`` (as ``history``), the others
    are the stored ones, reused."""
