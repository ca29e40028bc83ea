"""Sample render contexts for every email kind: the same ones ``doctor`` uses.

They live in :mod:`openorder_sheets.service.email_samples` (part of the package proper, so a
plain install can render them); this module keeps the testing import path working.
"""

from __future__ import annotations

from openorder_sheets.service.email_samples import (
    BATCH_KINDS,
    ORDER_KINDS,
    format_datetime,
    format_day,
    format_money,
    sample_context,
)

__all__ = [
    "BATCH_KINDS",
    "ORDER_KINDS",
    "format_datetime",
    "format_day",
    "format_money",
    "sample_context",
]
