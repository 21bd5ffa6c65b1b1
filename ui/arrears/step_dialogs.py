"""The dialogs of the ladder's steps taken from the arrears worklist: what each one asks,
the service call it makes when confirmed, and what the tab says once it is done.

A step that needs a shift leader (restrict, suspend, freeze) is confirmed with the leader's
credential in its dialog; the service checks the rules again as it writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from app.domain.arrears_policy import StepKind
from app.i18n import N_, _, format_money, ngettext
from app.services.arrears import WorklistRow
from ui.arrears.action_dialogs import CallLogDialog, FreezeDialog, ReminderBatchDialog
from ui.context import AppContext
from ui.service_dialogs import LeaderDialog


def reminder_batch(
    ctx: AppContext, rows: Sequence[WorklistRow], plans: Any, parent: QWidget
) -> ReminderBatchDialog:
    """The reminders of the selected accounts (``plans``: the preview), queued on OK."""
    arrears, actor = ctx.arrears, ctx.actor
    ids = [r.account_id for r in rows]
    names = {r.account_id: r.customer_name_masked for r in rows}
    return ReminderBatchDialog(
        ctx, plans, names, lambda: arrears.send_reminders(actor, ids), parent
    )


def reminders_sent_text(asked: int, outcome: Any) -> str:
    """How many reminders were queued, and how many accounts got none."""
    queued = len(outcome or ())
    text = ngettext(
        "{count} reminder queued for the SMS platform.",
        "{count} reminders queued for the SMS platform.",
        queued,
    ).format(count=queued)
    if queued < asked:
        text += " " + ngettext(
            "{count} account got no reminder (see the reasons before sending).",
            "{count} accounts got no reminder (see the reasons before sending).",
            asked - queued,
        ).format(count=asked - queued)
    return text


def call_log(ctx: AppContext, row: WorklistRow, today: date, parent: QWidget) -> CallLogDialog:
    """A phone call to the customer and its result (a promise to pay with its day)."""
    arrears, actor, account_id = ctx.arrears, ctx.actor, row.account_id
    return CallLogDialog(
        ctx,
        row.account_no,
        row.customer_name_masked,
        today,
        lambda result, promised, note: arrears.log_call(actor, account_id, result, promised, note),
        parent,
    )


def service_step(
    ctx: AppContext, kind: StepKind, row: WorklistRow, parent: QWidget
) -> tuple[LeaderDialog, str]:
    """Restrict (单停) or suspend (双停), approved by a shift leader; with the message (an
    ``N_`` msgid with ``{account}``) the tab shows once it is done."""
    arrears, actor, account_id = ctx.arrears, ctx.actor, row.account_id
    call = arrears.restrict if kind == StepKind.RESTRICT else arrears.suspend
    account, customer, owed = row.account_no, row.customer_name_masked, row.owed_fen
    if kind == StepKind.RESTRICT:
        describe = lambda: _(  # noqa: E731
            "Restrict outgoing service (单停) of account {account} ({customer}), owing "
            "{amount}. The customer can still receive calls."
        ).format(account=account, customer=customer, amount=format_money(owed))
        done = N_("Outgoing service restricted for account {account}.")
    else:
        describe = lambda: _(  # noqa: E731
            "Suspend service (双停) of account {account} ({customer}), owing {amount}."
        ).format(account=account, customer=customer, amount=format_money(owed))
        done = N_("Service suspended for account {account}.")
    dialog = LeaderDialog(
        ctx,
        describe,
        action=lambda leader, _reason: call(actor, account_id, leader),
        parent=parent,
    )
    return dialog, done


def freeze(ctx: AppContext, row: WorklistRow, today: date, parent: QWidget) -> FreezeDialog:
    """A dispute freeze of (at most) what is overdue, approved by a shift leader."""
    arrears, actor, account_id = ctx.arrears, ctx.actor, row.account_id
    return FreezeDialog(
        ctx,
        row.account_no,
        row.overdue_fen or row.owed_fen,
        today,
        lambda leader, amount, reason, expires: arrears.freeze(
            actor, leader, account_id, amount, reason, expires
        ),
        parent,
    )
