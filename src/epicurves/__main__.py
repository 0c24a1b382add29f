"""``python -m epicurves``: the same as the ``epicurves`` command."""

from .cli import script

script()
