"""Document format backends: read a file into translatable units, write the translated copy.

Nothing here imports a format's library; `backend_for` loads a backend when it is first asked.
"""

from __future__ import annotations

from .base import Extracted, FormatBackend, Span, Unit
from .inline import InlineStats, translate_units
from .registry import BACKENDS, SUFFIXES, backend_for

__all__ = [
    "BACKENDS",
    "SUFFIXES",
    "Extracted",
    "FormatBackend",
    "InlineStats",
    "Span",
    "Unit",
    "backend_for",
    "translate_units",
]
