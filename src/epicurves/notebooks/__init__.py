"""Jupyter notebooks per region, written from the public Python API only."""

from .generate import region_notebook

__all__ = ["region_notebook"]
