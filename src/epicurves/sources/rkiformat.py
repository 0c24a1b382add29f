"""What RKI's open-data files share: the licence, the age groups, the Bundesland ids.

Used by :mod:`.rki` and the modules of RKI's surveillance signals (:mod:`.amelag`,
:mod:`.hospitalisation`, :mod:`.sari`, :mod:`.deaths`).
"""

from __future__ import annotations

from ..lazy import pd
from .cells import known_values
from .geo import DE_STATES
from .readers import FileRef

__all__ = ["AGE_GROUPS", "ALL_AGES", "RKI_LICENCE", "state_ids"]

RKI_LICENCE = "CC BY 4.0, Robert Koch-Institut (see the dataset's LIZENZ file)"
#: All ages, as RKI writes it.
ALL_AGES = "00+"
#: RKI's age groups of the hospitalisation and deaths files, all ages first.
AGE_GROUPS = ("00+", "00-04", "05-14", "15-34", "35-59", "60-79", "80+")


def state_ids(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    *,
    national: bool = True,
) -> pd.Series:
    """Region ids from two-digit Bundesland ids: ``00`` -> ``DE`` (if ``national``),
    ``01`` ... ``16`` -> ``DE-SH`` ... ``DE-TH``; the error names the first other id."""
    codes = frame[column].str.strip().str.zfill(2)
    ids = {k: f"DE-{suffix}" for k, (suffix, _) in DE_STATES.items()}
    if national:
        ids["00"] = "DE"
    known_values(frame.assign(**{column: codes}), column, list(ids), ref)
    return codes.map(ids)
