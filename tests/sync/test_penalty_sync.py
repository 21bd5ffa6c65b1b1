"""The late-payment penalty a payment posts and settles on one PC reaches the hall's other
PC through the centre (real PostgreSQL): the other PC never asks again for what was paid
(issue 12 item 1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.centre.service import Centre
from app.services.payments import PaymentMethod, PaymentRequest, PaymentService
from app.services.staff.auth import AuthService
from app.store.models import Account, PenaltyAccrual
from tests.conftest import DEMO_TODAY, open_test_shift
from tests.sync.conftest import Hall

NOW = datetime.combine(DEMO_TODAY, time(10), ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def clock() -> datetime:
    return NOW


def postings(pc: Hall) -> list[tuple[str, int, int, str]]:
    with pc.store.read() as s:
        return [
            (r.id.hex, r.account_id, r.amount_fen, r.runs_json)
            for r in s.scalars(select(PenaltyAccrual).order_by(PenaltyAccrual.id))
        ]


def test_a_penalty_posted_and_settled_on_one_pc_is_not_asked_again_on_the_other(
    centre: Centre, two_pcs: tuple[Hall, Hall]
) -> None:
    a, b = two_pcs
    open_test_shift(a.store, clock)
    on_a, on_b = PaymentService(a.store, clock), PaymentService(b.store, clock)
    with a.store.read() as s:
        accounts = list(s.scalars(select(Account.id).order_by(Account.id)))
    account = next(i for i in accounts if on_a.quote(i).penalty_fen > 1)
    quote = on_a.quote(account)
    assert on_b.quote(account).penalty_fen == quote.penalty_fen  # the same facts, so far

    clerk = AuthService(a.store, clock).actor_for("A001")
    half = quote.penalty_fen // 2
    request = PaymentRequest(
        account, max(0, quote.owed_fen) + half, PaymentMethod.WECHAT, "WX-2026-1115-01"
    )
    plan = on_a.prepare(clerk, request)
    assert plan.penalty_fen == half and plan.penalty_posted_fen == quote.penalty_fen
    on_a.record(clerk, plan)
    assert on_a.quote(account).penalty_fen == quote.penalty_fen - half
    posted = postings(a)
    assert [(p[1], p[2]) for p in posted] == [(account, quote.penalty_fen)]

    a.sync.sync()
    assert set(centre.records("H1", "penalty_accrual")) == {str(uuid.UUID(posted[0][0]))}
    b.sync.sync()
    assert postings(b) == posted
    # B asks only what is left of the penalty: what A's customer paid is never asked again,
    # and the days A posted are not charged a second time.
    assert on_b.quote(account).penalty_fen == quote.penalty_fen - half
    assert on_b.quote(account).penalty_accrued_fen == quote.penalty_fen
