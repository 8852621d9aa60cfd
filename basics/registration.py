"""Registration numbers of sent applications: the one format the portal issues and the one pattern that
finds them in text, so every number the portal gives is recognised, spelled and spoken by the same rule.

"MG-2026-000042": the portal's letters, the year, and that year's sequence number, zero-padded to at
least six digits (a seventh appears only after a million applications in one year).
"""
from __future__ import annotations

import re

PREFIX = "MG"
SEQUENCE_DIGITS = 6
PATTERN = re.compile(rf"\b{PREFIX}-\d{{4}}-\d{{{SEQUENCE_DIGITS},}}\b")


def format_number(year: int, sequence: int) -> str:
    """The number the portal gives the application sent as ``sequence`` in ``year``."""
    return f"{PREFIX}-{year:04d}-{sequence:0{SEQUENCE_DIGITS}d}"
