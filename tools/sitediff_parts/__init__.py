"""The parts of ``tools/sitediff.py``, split by responsibility; that script's docstring
documents the tool. A development tool, not part of the ``epicurves`` package."""
