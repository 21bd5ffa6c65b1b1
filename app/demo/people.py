"""Who the demo customers are: names, identity documents, phones and addresses.

Everything is drawn from one ``random.Random`` in a fixed order, so a seed always gives the
same people. Resident ID numbers carry a real region code, a birth date, a sequence whose
parity is the holder's sex and the GB 11643 check character; organisations get a unified
social credit code with both check characters of GB 32100-2015 (and GB 11714 inside it).

This runs a million times per demo store, so draws use ``random()`` arithmetic rather
than ``randrange``/``choices`` (several times slower), and derived keys are cached.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Final, Generic, TypeVar

from app.demo import vocab
from app.domain.identity import ID_CHECK_CHARS, ID_WEIGHTS, MOBILE_PREFIXES
from app.domain.names import pinyin_keys

T = TypeVar("T")

USCC_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_VALUES: Final = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}

BIRTH_FIRST: Final = date(1940, 1, 1)
BIRTH_LAST: Final = date(2006, 12, 31)
FIRST_CUSTOMER_DAY: Final = date(2005, 1, 1)
#: Every demo customer's service password (documented in the user guide as demo-only).
DEMO_SERVICE_PASSWORD: Final = "135790"
PASSPORT_SHARE: Final = 0.003
PERMIT_SHARE: Final = 0.002
RARE_CHAR_SHARE: Final = 0.06
TWO_CHAR_GIVEN_SHARE: Final = 0.72
SHANGHAI_ID_SHARE: Final = 0.66
LOCAL_ADDRESS_SHARE: Final = 0.9

_ALL_MOBILE_PREFIXES: Final = tuple(sorted(MOBILE_PREFIXES))
#: Any character that is not a surname's first character: ``pinyin_keys(ANCHOR + given)``
#: reads ``given`` exactly as it is read after a surname.
_ANCHOR: Final = "王"


def _weighted_sum(digits: str, offset: int) -> int:
    """The GB 11643 weighted sum of ``digits`` placed at ``offset`` in the 17 digits."""
    return sum(int(d) * w for d, w in zip(digits, ID_WEIGHTS[offset:], strict=False))


#: Weighted sums of the three sequence digits (positions 15–17) for 000 … 999.
_SEQ_SUMS: Final = tuple(_weighted_sum(f"{n:03d}", 14) for n in range(1000))


def org_code_check(body8: str) -> str:
    """The check character of a GB 11714 organisation code (the 9th character)."""
    total = sum(_ORG_CODE_VALUES[c] * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_check(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True for 18 characters of the code's alphabet with both check characters right."""
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    return uscc_check(code[:17]) == code[17] and org_code_check(code[8:16]) == code[16]


@dataclass(frozen=True, slots=True)
class Identity:
    """One customer's identity data, as stored in ``customer`` (the contact phone may be
    empty: a person's comes from the services they hold)."""

    kind: str
    name: str
    name_pinyin: str
    name_initials: str
    id_type: str
    id_number: str
    contact_phone: str
    address: str
    grid: int
    created_on: int  # day ordinal


class Draw:
    """Fast draws from one ``random.Random``: uniform picks, integers, weighted picks."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.random() * (high - low + 1))


class Weighted(Generic[T]):
    """Items with weights, picked by bisecting the cumulative weights."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(float(w) for _, w in pairs))
        self.total = self.cum[-1]

    def draw(self, draw: Draw) -> T:
        return self.items[bisect(self.cum, draw.random() * self.total)]


class PeopleFactory:
    """Makes persons and organisations; keeps document numbers unique across the run."""

    def __init__(self, draw: Draw, grid_count: int, last_day: date) -> None:
        self.draw = draw
        self.grid_count = grid_count
        self._last_day = last_day.toordinal()
        self._surnames = Weighted(vocab.SURNAMES)
        self._pinyin: dict[str, tuple[str, str]] = {}
        self._given: dict[str, tuple[str, str]] = {}
        self._ids: set[str] = set()
        self._birth_first = BIRTH_FIRST.toordinal()
        self._birth_span = BIRTH_LAST.toordinal() - self._birth_first + 1
        self._births: dict[int, tuple[int, str, int, int]] = {}
        self._shanghai = [(r, _weighted_sum(r, 0)) for r in vocab.SHANGHAI_REGIONS]
        self._other = [(r, _weighted_sum(r, 0)) for r in vocab.OTHER_REGIONS]
        self._first_day = FIRST_CUSTOMER_DAY.toordinal()
        self._local_places = [
            [f"上海市浦东新区{road}" for road in roads] for _, roads in vocab.AREAS
        ]
        self._other_places = [
            f"上海市{district}{road}"
            for district in vocab.OTHER_DISTRICTS
            for road in vocab.OTHER_ROADS
        ]

    # -- names ---------------------------------------------------------------------------

    def _keys(self, name: str) -> tuple[str, str]:
        keys = self._pinyin.get(name)
        if keys is None:
            keys = self._pinyin[name] = pinyin_keys(name)
        return keys

    def _name_keys(self, surname: str, given: str) -> tuple[str, str]:
        """``pinyin_keys(surname + given)``, from cached parts: a million names share a few
        hundred surnames and a few thousand given names."""
        full, initials = self._keys(surname)
        anchored = self._given.get(given)
        if anchored is None:
            anchor_full, anchor_initials = pinyin_keys(_ANCHOR)
            given_full, given_initials = pinyin_keys(_ANCHOR + given)
            anchored = self._given[given] = (
                given_full[len(anchor_full) :],
                given_initials[len(anchor_initials) :],
            )
        return full + anchored[0], initials + anchored[1]

    def person_name(self, birth_year: int, male: bool) -> tuple[str, str]:
        """(surname, given name) of a person born in ``birth_year``."""
        draw = self.draw
        random = draw.random
        era = "old" if birth_year < 1970 else "mid" if birth_year < 1990 else "new"
        pool = vocab.GIVEN_CHARS[(era, "m" if male else "f")]
        given = pool[int(random() * len(pool))]
        if random() < TWO_CHAR_GIVEN_SHARE:
            given += pool[int(random() * len(pool))]
        if random() < RARE_CHAR_SHARE:
            rare = draw.pick(vocab.RARE_CHARS)
            given = given[:-1] + rare if random() < 0.5 else (given + rare)[-2:]
        return self._surnames.draw(draw), given

    # -- documents -----------------------------------------------------------------------

    def _birth(self) -> tuple[int, str, int, int]:
        """A birth date between 1940 and 2006: (year, YYYYMMDD, the weighted sum of its
        digits in an ID number, the day ordinal of the 1 January the holder turns 18)."""
        ordinal = self._birth_first + int(self.draw.random() * self._birth_span)
        birth = self._births.get(ordinal)
        if birth is None:
            day = date.fromordinal(ordinal)
            digits = f"{day:%Y%m%d}"
            birth = self._births[ordinal] = (
                day.year,
                digits,
                _weighted_sum(digits, 6),
                date(day.year + 18, 1, 1).toordinal(),
            )
        return birth

    def resident_id(self, birthday: str, birthday_sum: int, male: bool) -> str:
        """An unused ID number: region, birth date, sequence (odd for men), check.

        The check is GB 11643's (``ID_WEIGHTS``, ``ID_CHECK_CHARS``, as in
        ``identity.id_check_char``) from cached partial sums: it is the hottest line here.
        """
        random = self.draw.random
        while True:
            regions = self._shanghai if random() < SHANGHAI_ID_SHARE else self._other
            region, region_sum = regions[int(random() * len(regions))]
            seq = int(random() * 500) * 2 + male
            first17 = f"{region}{birthday}{seq:03d}"
            if first17 not in self._ids:
                self._ids.add(first17)
                total = region_sum + birthday_sum + _SEQ_SUMS[seq]
                return first17 + ID_CHECK_CHARS[total % 11]

    def _unique(self, prefix: str, digits: int) -> str:
        while True:
            value = f"{prefix}{self.draw.below(10**digits):0{digits}d}"
            if value not in self._ids:
                self._ids.add(value)
                return value

    def uscc(self, individual: bool) -> str:
        draw = self.draw
        while True:
            head = "92" if individual else "91"
            region = "310115" if draw.random() < 0.85 else "310000"
            chars = "".join(draw.pick(USCC_CHARS) for _ in range(5))
            body = ("MA1" if draw.random() < 0.7 else str(draw.between(100, 799))) + chars
            first17 = f"{head}{region}{body}{org_code_check(body)}"
            if first17 not in self._ids:
                self._ids.add(first17)
                return first17 + uscc_check(first17)

    # -- contact -------------------------------------------------------------------------

    def any_mobile(self) -> str:
        """A contact mobile of any operator (not necessarily unique)."""
        return f"{self.draw.pick(_ALL_MOBILE_PREFIXES)}{self.draw.below(10**8):08d}"

    def _address(self, grid: int, organisation: bool) -> str:
        """A road of the grid's area (or, for a few, of another district) and a number."""
        random = self.draw.random
        if random() < LOCAL_ADDRESS_SHARE:
            places = self._local_places[(grid - 1) % len(self._local_places)]
        else:
            places = self._other_places
        place = places[int(random() * len(places))]
        if organisation:
            return f"{place}{1 + int(random() * 2999)}号{1 + int(random() * 29)}楼"
        lane, house = 1 + int(random() * 1799), 1 + int(random() * 59)
        floor, room = 1 + int(random() * 24), 1 + int(random() * 6)
        return f"{place}{lane}弄{house}号{floor}0{room}室"

    def _created_on(self, earliest: int) -> int:
        start = max(self._first_day, earliest)
        if start >= self._last_day:
            return self._last_day
        return start + int(self.draw.random() * (self._last_day - start + 1))

    # -- customers -----------------------------------------------------------------------

    def person(self) -> Identity:
        draw = self.draw
        male = draw.random() < 0.5
        year, birthday, birthday_sum, adult = self._birth()
        roll = draw.random()
        if roll < PASSPORT_SHARE:
            name = draw.pick(vocab.FOREIGN_NAMES)
            pinyin, initials = self._keys(name)
            id_type, id_number = "passport", self._unique(draw.pick("EGKPS"), 8)
        else:
            surname, given = self.person_name(year, male)
            name = surname + given
            pinyin, initials = self._name_keys(surname, given)
            if roll < PASSPORT_SHARE + PERMIT_SHARE:
                id_type, id_number = "hk_macao_permit", self._unique(draw.pick("HM"), 8)
            else:
                id_type = "resident_id"
                id_number = self.resident_id(birthday, birthday_sum, male)
        grid = 1 + int(draw.random() * self.grid_count)
        address = self._address(grid, False)
        return Identity(
            "person", name, pinyin, initials, id_type, id_number, "", address, grid,
            self._created_on(adult),
        )  # fmt: skip

    def organisation(self) -> Identity:
        draw = self.draw
        individual = draw.random() < 0.2
        trade_name = draw.pick(vocab.TRADE_NAMES)
        if individual:
            name = f"上海市浦东新区{trade_name}{draw.pick(vocab.SHOP_KINDS)}"
        else:
            form = "股份有限公司" if draw.random() < 0.08 else "有限公司"
            place = "上海浦东" if draw.random() < 0.3 else "上海"
            name = f"{place}{trade_name}{draw.pick(vocab.TRADES)}{form}"
        grid = draw.between(1, self.grid_count)
        pinyin, initials = self._keys(name)
        return Identity(
            kind="organisation",
            name=name,
            name_pinyin=pinyin,
            name_initials=initials,
            id_type="business_licence",
            id_number=self.uscc(individual),
            contact_phone=self.any_mobile(),
            address=self._address(grid, organisation=True),
            grid=grid,
            created_on=self._created_on(self._first_day),
        )
