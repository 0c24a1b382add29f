"""Fixed geography the sources share: ISO 3166-2 codes of US states and German Länder, and
the names the site shows for them.

Display names follow the convention of the country names (see :mod:`.jhu`): the short English
name in everyday use. US states and territories keep the names NYT and JHU write, but for
``Virgin Islands``, shown as ``United States Virgin Islands`` (as Our World in Data names it; the
British Virgin Islands are another place). German states are shown under their English names
where English has one in everyday use (``Bavaria``, ``Hesse``, ``Lower Saxony``,
``North Rhine-Westphalia``, ``Rhineland-Palatinate``, ``Saxony``, ``Saxony-Anhalt``,
``Thuringia``), as English Wikipedia and the BBC write them; the others keep their German name,
which English uses too (``Baden-Württemberg``, ``Mecklenburg-Vorpommern``, ``Schleswig-Holstein``
...). The upstream spellings (the German names, as RKI and ags.json write them) are kept as
aliases (:data:`US_ALIASES`, :data:`DE_ALIASES`). Region ids never depend on names.
"""

from __future__ import annotations

from .base import display_aliases

__all__ = [
    "DE_ALIASES",
    "DE_NAMES",
    "DE_STATES",
    "US_ALIASES",
    "US_NAMES",
    "US_STATES",
    "de_state_name",
    "us_code_by_fips",
    "us_code_by_name",
    "us_state_name",
]

#: (FIPS, ISO 3166-2 suffix, name) of the 50 US states, DC and the five inhabited territories.
US_STATES: tuple[tuple[str, str, str], ...] = (
    ("01", "AL", "Alabama"), ("02", "AK", "Alaska"), ("04", "AZ", "Arizona"),
    ("05", "AR", "Arkansas"), ("06", "CA", "California"), ("08", "CO", "Colorado"),
    ("09", "CT", "Connecticut"), ("10", "DE", "Delaware"), ("11", "DC", "District of Columbia"),
    ("12", "FL", "Florida"), ("13", "GA", "Georgia"), ("15", "HI", "Hawaii"),
    ("16", "ID", "Idaho"), ("17", "IL", "Illinois"), ("18", "IN", "Indiana"),
    ("19", "IA", "Iowa"), ("20", "KS", "Kansas"), ("21", "KY", "Kentucky"),
    ("22", "LA", "Louisiana"), ("23", "ME", "Maine"), ("24", "MD", "Maryland"),
    ("25", "MA", "Massachusetts"), ("26", "MI", "Michigan"), ("27", "MN", "Minnesota"),
    ("28", "MS", "Mississippi"), ("29", "MO", "Missouri"), ("30", "MT", "Montana"),
    ("31", "NE", "Nebraska"), ("32", "NV", "Nevada"), ("33", "NH", "New Hampshire"),
    ("34", "NJ", "New Jersey"), ("35", "NM", "New Mexico"), ("36", "NY", "New York"),
    ("37", "NC", "North Carolina"), ("38", "ND", "North Dakota"), ("39", "OH", "Ohio"),
    ("40", "OK", "Oklahoma"), ("41", "OR", "Oregon"), ("42", "PA", "Pennsylvania"),
    ("44", "RI", "Rhode Island"), ("45", "SC", "South Carolina"), ("46", "SD", "South Dakota"),
    ("47", "TN", "Tennessee"), ("48", "TX", "Texas"), ("49", "UT", "Utah"),
    ("50", "VT", "Vermont"), ("51", "VA", "Virginia"), ("53", "WA", "Washington"),
    ("54", "WV", "West Virginia"), ("55", "WI", "Wisconsin"), ("56", "WY", "Wyoming"),
    ("60", "AS", "American Samoa"), ("66", "GU", "Guam"),
    ("69", "MP", "Northern Mariana Islands"), ("72", "PR", "Puerto Rico"),
    ("78", "VI", "Virgin Islands"),
)  # fmt: skip

#: US state or territory as NYT and JHU spell it -> display name, where the two differ.
US_NAMES: dict[str, str] = {"Virgin Islands": "United States Virgin Islands"}

#: Other names people search for, by display name (after the upstream spelling).
US_ALSO_KNOWN_AS: dict[str, tuple[str, ...]] = {
    "United States Virgin Islands": ("U.S. Virgin Islands",),
    "District of Columbia": ("Washington, D.C.",),
}

#: Aliases of US states and territories, by display name: upstream spelling first.
US_ALIASES = display_aliases(US_NAMES, US_ALSO_KNOWN_AS)

#: Two-digit state key of the German AGS -> (ISO 3166-2 suffix, name as RKI and ags.json write
#: it, the official German name). The site shows :func:`de_state_name`.
DE_STATES: dict[str, tuple[str, str]] = {
    "01": ("SH", "Schleswig-Holstein"), "02": ("HH", "Hamburg"), "03": ("NI", "Niedersachsen"),
    "04": ("HB", "Bremen"), "05": ("NW", "Nordrhein-Westfalen"), "06": ("HE", "Hessen"),
    "07": ("RP", "Rheinland-Pfalz"), "08": ("BW", "Baden-Württemberg"), "09": ("BY", "Bayern"),
    "10": ("SL", "Saarland"), "11": ("BE", "Berlin"), "12": ("BB", "Brandenburg"),
    "13": ("MV", "Mecklenburg-Vorpommern"), "14": ("SN", "Sachsen"), "15": ("ST", "Sachsen-Anhalt"),
    "16": ("TH", "Thüringen"),
}  # fmt: skip


#: German state, official German name -> English display name, where the two differ.
DE_NAMES: dict[str, str] = {
    "Niedersachsen": "Lower Saxony",
    "Nordrhein-Westfalen": "North Rhine-Westphalia",
    "Hessen": "Hesse",
    "Rheinland-Pfalz": "Rhineland-Palatinate",
    "Bayern": "Bavaria",
    "Sachsen": "Saxony",
    "Sachsen-Anhalt": "Saxony-Anhalt",
    "Thüringen": "Thuringia",
}

#: Aliases of German states, by display name: the German name.
DE_ALIASES = display_aliases(DE_NAMES)


def us_state_name(name: str) -> str:
    """The display name of a US state or territory written ``name`` by NYT or JHU.

    >>> us_state_name("Virgin Islands"), us_state_name("Ohio")
    ('United States Virgin Islands', 'Ohio')
    """
    return US_NAMES.get(name, name)


def de_state_name(key: str) -> str:
    """The display name of the German state with two-digit AGS key ``key``.

    >>> de_state_name("09"), de_state_name("11")
    ('Bavaria', 'Berlin')
    """
    german = DE_STATES[key][1]
    return DE_NAMES.get(german, german)


def us_code_by_fips() -> dict[str, str]:
    """Two-digit FIPS -> ``US-XX`` region id.

    >>> us_code_by_fips()["06"]
    'US-CA'
    """
    return {fips: f"US-{code}" for fips, code, _ in US_STATES}


def us_code_by_name() -> dict[str, str]:
    """State name as NYT and JHU spell it -> ``US-XX`` region id.

    >>> us_code_by_name()["District of Columbia"]
    'US-DC'
    """
    return {name: f"US-{code}" for _, code, name in US_STATES}
