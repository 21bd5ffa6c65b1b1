"""The acknowledgement slip (投诉受理回执) handed to the customer at intake: what it prints,
from the case, in the customers' language (Chinese) with the personal data masked."""

from __future__ import annotations

from app.documents.complaint_data import AckSlipData
from app.domain.complaint_deadline import period_text
from app.domain.complaint_flow import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CONTACT_WAY_LABELS,
    label,
    subcategory_label,
)
from app.services.complaints.case import ComplaintCase
from app.store.models import Hall


def ack_slip_data(case: ComplaintCase, hall: Hall) -> AckSlipData:
    """The slip's data, its labels in the current language."""
    intake_category = case.events[0].category if case.events else None
    return AckSlipData(
        hall_name=hall.name,
        hall_address=hall.address,
        hotline=hall.hotline,
        number=case.number,
        received_at=case.received_at,
        timezone=hall.timezone,
        customer_name=case.customer_name,
        contact_phone=case.contact_phone_masked,
        channel=label(CHANNEL_LABELS, case.channel),
        category=label(CATEGORY_LABELS, case.state.category or intake_category),
        subcategory=subcategory_label(case.state.subcategory),
        summary=case.description,
        request=case.request,
        due_at=case.reading.deadline.due_at,
        period=period_text(case.day_count),
        contact_way=label(CONTACT_WAY_LABELS, case.contact_way),
        staff_no=case.staff_no,
        appeal_until=case.appeal_until,
        statutory_due_at=case.reading.statutory_due,
        calendar_known=case.reading.deadline.calendar_known,
    )
