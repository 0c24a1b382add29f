"""The parts of ``tools/geometry.py``, which builds the map geometry the site ships: see
that module's docstring."""
