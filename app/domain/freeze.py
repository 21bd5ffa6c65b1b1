"""A dispute freeze as the rules see it: an amount and its days, read by both the ladder
(``app.domain.arrears``: frozen arrears take no step) and the penalty
(``app.domain.penalty``: a frozen amount accrues none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.errors import ValidationError
from app.i18n import N_


@dataclass(frozen=True, slots=True)
class Freeze:
    """A disputed amount kept out of the ladder from ``starts_on`` to ``expires_on`` inclusive.

    Who approved it and why is the service layer's record; the ladder only needs the amount
    and the dates. The freeze is not tied to a bill: when it expires the amount returns to
    the ladder with its days still counted from the original due date.
    """

    amount_fen: int
    starts_on: date
    expires_on: date

    def __post_init__(self) -> None:
        if self.amount_fen <= 0:
            raise ValidationError("amount_fen", N_("A frozen amount must be greater than zero."))
        if self.expires_on < self.starts_on:
            raise ValidationError(
                "expires_on", N_("A dispute freeze cannot expire before it starts.")
            )

    def active_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.expires_on
