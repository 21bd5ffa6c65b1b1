"""Shared helpers for the document tests.

``chinese_labels()`` stands in for the zh_CN catalog until the document labels are
translated there: it proves the documents translate at render time and that the Chinese
labels render with the embedded font. ``ZH_LABELS`` doubles as the proposed translations.
"""

from __future__ import annotations

import gettext
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypdf import PdfReader

from app import i18n

ZH_LABELS = {
    # receipt
    "Payment receipt": "缴费收据",
    "Receipt no.": "收据编号",
    "Date and time": "缴费时间",
    "Staff no.": "工号",
    "Customer": "客户",
    "Account no.": "账户号码",
    "Items paid": "缴费项目",
    "Amount": "金额",
    "Bill {period}": "{period} 账单",
    "Prepayment": "预存款",
    "Amount paid": "实缴金额",
    "In words": "大写",
    "{label}: {value}": "{label}：{value}",
    "Payment method": "支付方式",
    "Reference no.": "交易流水号",
    "Cash tendered": "实收现金",
    "Change": "找零",
    "Balance after payment": "缴费后余额",
    "Still owed after payment": "缴费后仍欠",
    "Scan to verify this receipt": "扫码验证收据真伪",
    "Service hotline: {hotline}": "服务热线：{hotline}",
    "Please keep this receipt safe as your proof of payment.": "请妥善保管本收据，作为缴费凭证。",
    "REPRINT": "补打",
    "Reprint #{count}": "第{count}次补打",
    "VOID": "作废",
    "This receipt is void and is not proof of payment.": "本收据已作废，不作为缴费凭证。",
    "Receipt no. {number} · page {page}": "收据编号 {number} · 第{page}页",
    # arrears notice
    "Payment Reminder Notice": "催缴通知书",
    "Issued on {date}": "发出日期：{date}",
    "Notice no. {number}": "通知编号：{number}",
    "Dear {name},": "尊敬的{name}：",
    "Thank you for using our services. According to our records, the following charges on "
    "account {account} are still unpaid. The total due, including the late-payment penalty, "
    "is {total}.": "感谢您使用我们的服务。经核查，您的账户 {account} 尚有以下费用未缴清，"
    "含滞纳金在内共计应缴 {total}。",
    "Services": "业务号码",
    "Billing period": "账期",
    "Due date": "缴费截止日",
    "Unpaid charges": "欠费小计",
    "Late-payment penalty": "滞纳金",
    "Total due": "应缴合计",
    "Please pay the total due of {total} in full by {deadline}.": "请您于{deadline}前足额缴清"
    "应缴费用 {total}。",
    "You can pay at the counter of any of our business halls, through our official app and "
    "online channels, or by calling the service hotline {hotline}. Please quote your account "
    "number when you pay.": "您可到我公司任一营业厅柜台缴费，也可通过官方客户端及网上渠道缴费，"
    "或拨打服务热线 {hotline} 办理。缴费时请提供您的账户号码。",
    "If the charges are still unpaid after {deadline}, the following step will be taken in "
    "line with your service agreement: {step}": "如您在{deadline}后仍未缴清，我公司将依据服务"
    "协议采取以下措施：{step}",
    "If you disagree with any charge, you may raise a dispute at any of our business halls or "
    "through the service hotline {hotline}; we will reply within 15 days. If you are not "
    "satisfied with the reply, or receive none within 15 days, you may appeal to the "
    "telecommunications user appeal centre (12300).": "如您对费用有异议，可到任一营业厅或拨打"
    "服务热线 {hotline} 提出，我公司将在15日内答复；如您对答复不满意或15日内未获答复，可向电信"
    "用户申诉受理机构（12300）申诉。",
    "Any service restricted or suspended for non-payment is restored within 24 hours after "
    "the total due has been paid in full.": "因欠费被限制或暂停的业务，将在您足额缴清应缴费用后"
    "24小时内恢复。",
    "If you have already paid, please disregard this notice. Thank you for your understanding "
    "and support.": "如您已缴费，请忽略本通知。感谢您的理解与支持！",
    "(Seal)": "（盖章）",
    "{address}  Service hotline: {hotline}": "{address}  服务热线：{hotline}",
    "Page {page}": "第{page}页",
}
ZH_CONTEXT = {("list separator", ", "): "、"}


class _Labels(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return ZH_LABELS.get(message, message)

    def pgettext(self, context: str, message: str) -> str:
        return ZH_CONTEXT.get((context, message), message)


@contextmanager
def chinese_labels() -> Iterator[None]:
    saved = i18n._current
    i18n._current = _Labels()
    try:
        yield
    finally:
        i18n._current = saved


GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN_ENV = "HALLDESK_REGEN_GOLDEN"


def assert_golden(name: str, pdf: bytes, tmp_path: Path) -> None:
    """Compare ``pdf`` byte for byte with ``golden/<name>``; rewrite it when regenerating."""
    golden = GOLDEN / name
    if os.environ.get(REGEN_ENV) == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(pdf)
        return
    how = (
        f"if the change is intended (layout, labels, translations, reportlab or font update), "
        f"regenerate with: {REGEN_ENV}=1 .venv/bin/pytest tests/documents"
    )
    assert golden.exists(), f"missing golden file {golden}; {how}"
    if golden.read_bytes() != pdf:
        actual = tmp_path / name
        actual.write_bytes(pdf)
        raise AssertionError(f"{name} differs from {golden} (new output: {actual}); {how}")


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF (pypdf), with every kind of whitespace removed, so a label that
    wraps differently still matches."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def font_report(pdf: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded as TrueType) for every font used on every page."""
    reader = PdfReader(io.BytesIO(pdf))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            fonts[str(font["/BaseFont"])] = embedded
    return sorted(fonts.items())
