"""The hall's rules (hall_setting) are shared by its PCs through the centre; each PC's own
keys (receipt secret, centre URL and enrolment code, sync interval) stay on it (real
PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from app.centre.service import Centre
from app.domain.complaint_clock import DAY_COUNT_SETTING, DayCount
from app.services.complaints import ComplaintService
from app.services.hall import HallService
from app.services.payments.receipts import SECRET_KEY
from app.services.shifts.records import DIFFERENCE_LIMIT_KEY
from app.services.staff.auth import AuthService
from app.store.models import HallSetting
from app.store.models.sync import SyncOutbox
from app.sync.service import INTERVAL_KEY
from tests.sync.conftest import Hall


def _settings(pc: Hall) -> dict[str, str]:
    with pc.store.read() as s:
        return {r.key: r.value for r in s.scalars(select(HallSetting))}


def test_a_leaders_rule_reaches_the_other_pc_and_local_keys_stay(
    centre: Centre, two_pcs: tuple[Hall, Hall]
) -> None:
    a, b = two_pcs
    assert not any(
        not k.startswith(("hall.", "shift.", "complaints.", "etiquette."))
        for k in centre.records("H1", "hall_setting")
    )
    hall_a, hall_b = HallService(a.store), HallService(b.store)
    hall_a.set_setting(SECRET_KEY, "secret-of-a")
    hall_b.set_setting(SECRET_KEY, "secret-of-b")
    hall_a.set_setting(INTERVAL_KEY, "5")
    hall_a.set_setting(DIFFERENCE_LIMIT_KEY, "2000")
    leader = AuthService(a.store).actor_for("L001")
    ComplaintService(a.store).set_day_count(leader, DayCount.WORKING)
    with a.store.read() as s:
        sent = set(s.scalars(select(SyncOutbox.key).where(SyncOutbox.kind == "hall_setting")))
    assert sent == {DIFFERENCE_LIMIT_KEY, DAY_COUNT_SETTING}

    a.sync.sync()
    b.sync.sync()
    on_b = _settings(b)
    assert on_b[DIFFERENCE_LIMIT_KEY] == "2000"
    assert on_b[DAY_COUNT_SETTING] == DayCount.WORKING.value
    assert ComplaintService(b.store).day_count() is DayCount.WORKING
    assert on_b[SECRET_KEY] == "secret-of-b" and INTERVAL_KEY not in on_b
    stored = centre.records("H1", "hall_setting")
    assert SECRET_KEY not in stored and INTERVAL_KEY not in stored

    # B changes the rule back; A follows after its next sync.
    hall_b.set_setting(DIFFERENCE_LIMIT_KEY, "5000")
    b.sync.sync()
    a.sync.sync()
    assert _settings(a)[DIFFERENCE_LIMIT_KEY] == "5000"
    assert _settings(a)[SECRET_KEY] == "secret-of-a"
