"""What the demo customers hold and how they pay: accounts, services, payment habits.

Besides the ``account`` and ``service`` rows, every account gets a *profile* row (a temp
table) that the SQL side expands into twelve bills and the payments: its monthly base fee,
how it pays (method, how many bills at once, which day and hour), whether it stopped
paying and when, a partial payment, a small prepaid credit, or one abnormally high bill.
The Python side decides these with the seeded ``random.Random``; the SQL side adds only
deterministic per-month variation.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from app.demo import vocab
from app.demo.people import Draw, Weighted

Row = tuple[object, ...]

#: Columns of the temp profile table, in the order of the tuples made here.
PROFILE_COLUMNS: Final = (
    "account_id",
    "salt",
    "base_fen",
    "var_fen",
    "extra_pct",
    "paid_months",
    "partial_pct",
    "credit_steps",
    "grp",
    "method",
    "counter",
    "day0",
    "jitter",
    "tod0",
    "tod_span",
    "huge_month",
)
MONTHS: Final = 12

#: Share of accounts that stop paying; and, of those, how many months ago (1 … 12).
ARREARS_SHARE: Final = 0.085
ORG_ARREARS_SHARE: Final = 0.05
_UNPAID_SMALL: Final = (35, 25, 15, 8, 5, 4, 3, 2, 1, 1, 0.5, 0.5)
_UNPAID_LARGE: Final = (20, 16, 14, 12, 10, 9, 6, 5, 3, 2, 2, 1)
HUGE_CHARGE_SHARE: Final = 0.003

#: (method, weight) for persons and organisations; cash and bank card are paid at a counter.
_PERSON_METHODS: Final = (
    ("bank_deduction", 28),
    ("wechat", 26),
    ("alipay", 18),
    ("online", 10),
    ("cash", 14),
    ("bank_card", 4),
)
_ORG_METHODS: Final = (("bank_deduction", 40), ("online", 30), ("bank_card", 20), ("cash", 10))
COUNTER_METHODS: Final = frozenset({"cash", "bank_card"})
HOUR: Final = 3600
ORG_ACCOUNTS: Final = ((1, 50), (2, 25), (3, 13), (4, 7), (5, 5))
ORG_LINES: Final = ((1, 30), (2, 25), (3, 20), (5, 17), (8, 8))
#: How many bills a payment settles: (bills, weight). Customers paying at a counter often
#: come every two or three months; app users mostly pay each bill, some top up for two
#: or three months at once; bank deductions are monthly.
COUNTER_GROUPS: Final = ((1, 30), (2, 35), (3, 35))
APP_GROUPS: Final = ((1, 70), (2, 20), (3, 10))
CREDIT_STEPS: Final = ((0, 50), (1, 30), (2, 15), (3, 5))
SECOND_ACCOUNT_SHARE: Final = 0.1


_TELECOM_BASES: Final = tuple(int(prefix) * 10**8 for prefix in vocab.TELECOM_PREFIXES)
_FIXED_FIRST: Final = (5, 5, 6, 6, 2, 3)


def _plans(items: tuple[tuple[str, int, int], ...]) -> Weighted[tuple[str, int]]:
    return Weighted([((name, fee), weight) for name, fee, weight in items])


class Iso:
    """ISO date strings by day ordinal, cached: a few thousand distinct days recur."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, ordinal: int) -> str:
        text = self._cache.get(ordinal)
        if text is None:
            text = self._cache[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


class HoldingsFactory:
    """Accumulates account, service and profile rows; numbers stay unique for the run."""

    def __init__(self, draw: Draw, last_open_day: date, iso: Iso) -> None:
        self._draw = draw
        self._last = last_open_day.toordinal()
        self._iso = iso
        self.next_account = 1
        self.next_service = 1
        self.arrears = 0
        self._numbers: set[int] = set()
        self._broadband: set[int] = set()
        self._mobile = _plans(vocab.MOBILE_PLANS)
        self._second = _plans(vocab.SECOND_MOBILE_PLANS)
        self._org_mobile = _plans(vocab.ORG_MOBILE_PLANS)
        self._fixed = _plans(vocab.FIXED_PLANS)
        self._bb = _plans(vocab.BROADBAND_PLANS)
        self._org_bb = _plans(vocab.ORG_BROADBAND_PLANS)
        self._person_methods = Weighted(_PERSON_METHODS)
        self._org_methods = Weighted(_ORG_METHODS)
        self._org_accounts = Weighted(ORG_ACCOUNTS)
        self._org_lines = Weighted(ORG_LINES)
        self._groups = Weighted(COUNTER_GROUPS)
        self._app_groups = Weighted(APP_GROUPS)
        self._credit = Weighted(CREDIT_STEPS)
        self._unpaid_small = Weighted(list(zip(range(1, MONTHS + 1), _UNPAID_SMALL, strict=True)))
        self._unpaid_large = Weighted(list(zip(range(1, MONTHS + 1), _UNPAID_LARGE, strict=True)))
        self.accounts: list[Row] = []
        self.services: list[Row] = []
        self.profiles: list[Row] = []

    def drain(self) -> tuple[list[Row], list[Row], list[Row]]:
        batch = (self.accounts, self.services, self.profiles)
        self.accounts, self.services, self.profiles = [], [], []
        return batch

    # -- numbers -------------------------------------------------------------------------

    def _mobile_number(self) -> str:
        """An unused China Telecom mobile number: prefix and eight digits."""
        random, numbers = self._draw.random, self._numbers
        while True:
            number = _TELECOM_BASES[int(random() * len(_TELECOM_BASES))] + int(random() * 10**8)
            if number not in numbers:
                numbers.add(number)
                return str(number)

    def _fixed_number(self) -> str:
        """An unused Shanghai fixed line, digits only: 021 and eight digits (2/3/5/6…)."""
        random, numbers = self._draw.random, self._numbers
        while True:
            local = _FIXED_FIRST[int(random() * len(_FIXED_FIRST))] * 10**7
            local += int(random() * 10**7)
            if local not in numbers:  # eight digits: never an eleven-digit mobile
                numbers.add(local)
                return f"021{local}"

    def _broadband_number(self) -> str:
        """An unused broadband account: ``ad`` and ten digits."""
        random, numbers = self._draw.random, self._broadband
        while True:
            value = int(random() * 10**10)
            if value not in numbers:
                numbers.add(value)
                return f"ad{value:010d}"

    # -- accounts ------------------------------------------------------------------------

    def add_customer(self, customer_id: int, organisation: bool, created_on: int) -> str:
        """Add the customer's accounts; return the first mobile number (a contact phone)."""
        draw = self._draw
        if organisation:
            count = self._org_accounts.draw(draw)
        else:
            count = 2 if draw.random() < SECOND_ACCOUNT_SHARE else 1
        first_mobile = self._add_account(customer_id, organisation, created_on, 0)
        opened = created_on
        for index in range(1, count):
            opened += int(draw.random() * (self._last - opened + 1))
            self._add_account(customer_id, organisation, opened, index)
        return first_mobile

    def _add_account(self, customer_id: int, organisation: bool, opened: int, index: int) -> str:
        draw = self._draw
        random = draw.random
        account_id = self.next_account
        self.next_account += 1
        number = 3_100_000_000 + account_id * 7 + int(random() * 7)
        opened_on = self._iso(opened)
        self.accounts.append((account_id, customer_id, str(number), opened_on))

        services: list[tuple[str, str, tuple[str, int]]] = []
        if organisation:
            for _ in range(self._org_lines.draw(draw)):
                services.append(("mobile", self._mobile_number(), self._org_mobile.draw(draw)))
            if random() < 0.6:
                for _ in range(1 if random() < 0.7 else 2):
                    services.append(("fixed", self._fixed_number(), self._fixed.draw(draw)))
            if random() < 0.5:
                services.append(("broadband", self._broadband_number(), self._org_bb.draw(draw)))
        else:
            services.append(("mobile", self._mobile_number(), self._mobile.draw(draw)))
            if index == 0 and random() < 0.18:
                services.append(("mobile", self._mobile_number(), self._second.draw(draw)))
            if index == 0 and random() < 0.2:
                services.append(("fixed", self._fixed_number(), self._fixed.draw(draw)))
            if random() < (0.35 if index == 0 else 0.2):
                services.append(("broadband", self._broadband_number(), self._bb.draw(draw)))

        base = 0
        for _kind, _number, (_plan, fee) in services:
            base += fee
        unpaid, profile = self._profile(account_id, base, organisation)
        self.profiles.append(profile)
        status = self._status(unpaid)
        # The first service opens with the account, the others some time later.
        service_id = self.next_service
        iso, span = self._iso, self._last - opened + 1
        append = self.services.append
        for kind, service_number, (plan, fee) in services:
            append((service_id, account_id, kind, service_number, plan, fee, status, opened_on))
            opened_on = iso(opened + int(random() * span))
            service_id += 1
        self.next_service = service_id
        return services[0][1]

    def _status(self, unpaid: int) -> str:
        """Long-overdue accounts are restricted, suspended or (rarely) pre-terminated."""
        if unpaid < 3:
            return "normal"
        roll = self._draw.random()
        if unpaid == 3:
            return "restricted" if roll < 0.5 else "normal"
        if unpaid < 6:
            return "restricted" if roll < 0.4 else "suspended" if roll < 0.8 else "normal"
        if roll < 0.15:
            return "pre_terminated"
        return "suspended" if roll < 0.75 else "restricted" if roll < 0.95 else "normal"

    def _profile(self, account_id: int, base: int, organisation: bool) -> tuple[int, Row]:
        """(months left unpaid, the profile row) of a new account."""
        draw = self._draw
        random = draw.random
        method = (self._org_methods if organisation else self._person_methods).draw(draw)
        counter = method in COUNTER_METHODS
        if method == "bank_deduction":
            grp, day0, jitter, span = 1, 1 + int(random() * 5), 0, 600
            tod0 = HOUR + int(random() * 3 * HOUR)
        elif counter:
            grp = self._groups.draw(draw)
            day0, jitter, tod0, span = int(random() * 15), 5, 9 * HOUR, 8 * HOUR + 1800
        else:
            grp = self._app_groups.draw(draw)
            day0, jitter, tod0, span = int(random() * 16), 4, 8 * HOUR, 14 * HOUR
        unpaid = 0
        if random() < (ORG_ARREARS_SHARE if organisation else ARREARS_SHARE):
            unpaid = (self._unpaid_small if base < 10000 else self._unpaid_large).draw(draw)
        huge_month = 0
        if random() < HUGE_CHARGE_SHARE:
            huge_month = draw.between(4, MONTHS)
            if random() < 0.5:  # disputed: nothing paid from the huge bill on
                unpaid = max(unpaid, MONTHS + 1 - huge_month)
        partial_pct = draw.between(20, 80) if unpaid and random() < 0.25 else 0
        credit_steps = -1
        if not unpaid and method != "bank_deduction" and random() < 0.06:
            credit_steps = self._credit.draw(draw)
        if unpaid:
            self.arrears += 1
        salt = int(random() * 2**31)
        return unpaid, (
            account_id, salt, base, base // 3 + 1000, 10 + int(random() * 50), MONTHS - unpaid,
            partial_pct, credit_steps, grp, method, int(counter), day0, jitter, tod0, span,
            huge_month,
        )  # fmt: skip
