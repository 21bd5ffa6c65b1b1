"""Texts about the devices that other screens show."""

from __future__ import annotations

from app.i18n import ngettext


def no_sale_text(count: int) -> str:
    """The X report's line for the drawer's no-sale openings."""
    return ngettext(
        "The drawer was opened {count} time without a sale.",
        "The drawer was opened {count} times without a sale.",
        count,
    ).format(count=count)
