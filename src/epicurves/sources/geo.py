"""Fixed geography the sources share: ISO 3166-2 codes of US states and German Länder."""

from __future__ import annotations

__all__ = ["DE_STATES", "US_STATES", "us_code_by_fips", "us_code_by_name"]

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

#: Two-digit state key of the German AGS -> (ISO 3166-2 suffix, name).
DE_STATES: dict[str, tuple[str, str]] = {
    "01": ("SH", "Schleswig-Holstein"), "02": ("HH", "Hamburg"), "03": ("NI", "Niedersachsen"),
    "04": ("HB", "Bremen"), "05": ("NW", "Nordrhein-Westfalen"), "06": ("HE", "Hessen"),
    "07": ("RP", "Rheinland-Pfalz"), "08": ("BW", "Baden-Württemberg"), "09": ("BY", "Bayern"),
    "10": ("SL", "Saarland"), "11": ("BE", "Berlin"), "12": ("BB", "Brandenburg"),
    "13": ("MV", "Mecklenburg-Vorpommern"), "14": ("SN", "Sachsen"), "15": ("ST", "Sachsen-Anhalt"),
    "16": ("TH", "Thüringen"),
}  # fmt: skip


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
