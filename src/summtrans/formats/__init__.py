"""Document format backends: read a file into translatable units, write the translated copy."""

from __future__ import annotations

from summtrans.formats.base import Extracted, FormatBackend, Span, Unit

__all__ = ["Extracted", "FormatBackend", "Span", "Unit"]
