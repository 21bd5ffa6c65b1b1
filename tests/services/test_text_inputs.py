"""Every free-text field the services store refuses control characters (other than newline
and tab) and broken characters, with a message in the user's language (issue 13 item 3: a
NUL pasted into a complaint made every push of the PC answer 500 and blocked a payment;
issue 12 item 15: a lone surrogate surfaced as a raw ``UnicodeEncodeError``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.errors import ValidationError
from app.domain.etiquette_scoring import LocalText
from app.i18n import in_language
from app.services.arrears import ArrearsService
from app.services.base import check_reason
from app.services.complaints import ComplaintRequest, ComplaintService
from app.services.complaints.faults import FaultNoticeRequest, check_notice
from app.services.customers import CustomerService
from app.services.etiquette import EtiquetteService
from app.services.hall.setup import HallDetails, clean_hall
from app.services.payments.plan import PaymentRequest, check_request
from app.services.shifts.handover import check_equipment
from app.services.shifts.views import EquipmentLine
from app.services.staff.auth import AuthService
from app.store.database import Store, open_store, sqlite_url
from app.store.models import VerificationMethod

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
BAD = ["\x00", "\x1b", "\x7f", "\ud83d"]


@pytest.fixture
def store(demo_db_copy: Path) -> Iterator[Store]:
    s = open_store(sqlite_url(demo_db_copy))
    yield s
    s.close()


def complaint(**kw: object) -> ComplaintRequest:
    base = ComplaintRequest(
        channel="counter",
        category="network",
        description="家里客厅手机没有信号，已经一周了",
        contact_phone="13800138000",
        contact_name="王小明",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def refused(call: Callable[[], object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        call()
    assert err.value.field == field
    with in_language("zh_CN"):
        text = err.value.user_message()
    assert "字符" in text, text


@pytest.mark.parametrize("bad", BAD)
def test_complaint_texts(store: Store, bad: str) -> None:
    service = ComplaintService(store, lambda: NOW)
    clerk = AuthService(store).actor_for("A001")
    refused(
        lambda: service.intake(clerk, complaint(description=f"没有信号{bad}一周了")), "description"
    )
    refused(lambda: service.intake(clerk, complaint(contact_name=f"王{bad}明")), "contact_name")
    refused(lambda: service.intake(clerk, complaint(request=f"修好{bad}")), "request")
    done = service.intake(clerk, complaint())
    refused(lambda: service.add_note(clerk, done.complaint_id, f"已联系{bad}"), "note")
    refused(lambda: service.pause(clerk, done.complaint_id, f"等客户{bad}"), "note")
    assert len(service.case(done.complaint_id).events) == 1


@pytest.mark.parametrize("bad", BAD)
def test_reasons_references_notes_and_names(store: Store, bad: str) -> None:
    refused(lambda: check_reason(f"少收{bad}", maximum=200), "reason")
    refused(
        lambda: check_request(PaymentRequest(1, 100, "bank_card", reference=f"88{bad}")),  # type: ignore[arg-type]
        "reference",
    )
    refused(lambda: check_equipment([EquipmentLine(f"打印机{bad}", 1)]), "equipment")
    refused(
        lambda: check_notice(
            FaultNoticeRequest(2, "宽带", "浦东", NOW, None, f"光缆{bad}中断"), NOW
        ),
        "wording",
    )
    refused(lambda: clean_hall(HallDetails(f"营业厅{bad}", "SH01", "上海市", "10000")), "hall_name")
    customers = CustomerService(store, lambda: NOW)
    clerk = AuthService(store).actor_for("A001")
    refused(
        lambda: customers.verify_identity(
            clerk, 1, VerificationMethod.DOCUMENT, document_note=f"身份证{bad}"
        ),
        "document_note",
    )
    arrears = ArrearsService(store, lambda: NOW)
    refused(lambda: arrears.log_call(clerk, 1, "unreachable", note=f"无人接{bad}"), "note")


def test_checklist_texts(store: Store) -> None:
    service = EtiquetteService(store, lambda: NOW)
    leader = AuthService(store).actor_for("L001")
    current = service.templates(leader)[0]
    section = current.spec.sections[0]
    item = replace(section.items[0], text=LocalText("微笑\x00服务", "Smiles"))
    spec = replace(
        current.spec,
        sections=(replace(section, items=(item, *section.items[1:])), *current.spec.sections[1:]),
    )
    refused(lambda: service.save_template(leader, spec), "template")
