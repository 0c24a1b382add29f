"""Reference results shipped with epicurves (other software's numbers to check ours against).

The files are in ``epicurves/data/`` with a README saying how each was made::

    >>> sorted(REFERENCE_DATA)
    ['epiestim']
    >>> reference_data("epiestim").columns.tolist()
    ['date', 'new_cases', 'mean', 'q025', 'q975']
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from .errors import UsageError
from .lazy import pd

__all__ = ["REFERENCE_DATA", "ReferenceData", "reference_data"]


@dataclass(frozen=True)
class ReferenceData:
    """One shipped file: its name in ``epicurves/data/`` and what it holds."""

    file: str
    description: str
    dates: tuple[str, ...] = ("date",)


REFERENCE_DATA: dict[str, ReferenceData] = {
    "epiestim": ReferenceData(
        "epiestim_rki_DE_2020.csv",
        "R by Cori et al. from EpiEstim 2.2-4 (estimate_R, parametric serial interval mean "
        "4.7, sd 2.9, weekly windows, prior mean 5, sd 5) for Germany (rki, DE) in 2020: "
        "date, new_cases (its input), mean, q025, q975 (tests/data/epiestim/make_fixture.R)",
    ),
}


def reference_data(name: str) -> pd.DataFrame:
    """The shipped reference table ``name`` (see :data:`REFERENCE_DATA`), dates parsed.

    ``frame.attrs["description"]`` says what it is and how it was made; the error for an
    unknown name lists the known ones.

    >>> epiestim = reference_data("epiestim")
    >>> epiestim[epiestim["date"] == "2020-04-01"]
             date  new_cases      mean      q025      q975
    89 2020-04-01       6040  1.189242  1.176903  1.201645
    >>> epiestim.attrs["description"]
    'R by Cori et al. from EpiEstim 2.2-4 (estimate_R, ...) for Germany (rki, DE) in 2020: ...'
    """
    try:
        entry = REFERENCE_DATA[name]
    except KeyError:
        msg = f"no reference data called {name!r}: expected one of {', '.join(REFERENCE_DATA)}"
        raise UsageError(msg) from None
    with (resources.files("epicurves") / "data" / entry.file).open("rb") as handle:
        frame = pd.read_csv(handle, parse_dates=list(entry.dates))
    frame.attrs["description"] = entry.description
    return frame
