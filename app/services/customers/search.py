"""Customer search: what was typed classified, the hits in order, the masked rows of the
results table, and the exact lookup in one statement (``CustomerService.lookup``)."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.identity import id_number_problem, mask_id_number, mask_phone
from app.store.models import CustomerKind

MAX_QUERY_LENGTH: Final = 40
DEFAULT_LIMIT: Final = 200
_TOP: Final = "\U0010ffff"
_HAN_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·]+$")
_LATIN_RE = re.compile(r"^[a-z]+$")
_DIGITS_RE = re.compile(r"^\d+[xX]?$")
#: Service numbers with a letter prefix, such as broadband accounts (``ad0012345678``).
_CODE_RE = re.compile(r"^[a-z]{1,4}\d{4,}$")


class MatchKind(StrEnum):
    SERVICE_NUMBER = "service_number"
    CONTACT_PHONE = "contact_phone"
    ACCOUNT_NUMBER = "account_number"
    ID_NUMBER = "id_number"
    ID_SUFFIX = "id_suffix"
    NAME = "name"
    PINYIN = "pinyin"
    INITIALS = "initials"


class QueryKind(StrEnum):
    DIGITS = "digits"
    CODE = "code"
    HAN = "han"
    LATIN = "latin"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class SearchHit:
    customer_id: int
    match: MatchKind
    matched: str


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One row of the results table, already masked."""

    customer_id: int
    name: str
    kind: CustomerKind
    id_number_masked: str
    phone_masked: str
    grid_unit: str


def normalise_query(raw: str) -> tuple[QueryKind, str]:
    """Classify what was typed: digits (numbers), Chinese (names), latin (pinyin)."""
    query = unicodedata.normalize("NFKC", raw or "").strip()
    if not query or len(query) > MAX_QUERY_LENGTH:
        return QueryKind.NONE, ""
    compact = re.sub(r"[\s\-]", "", query)
    if compact.startswith("+86"):
        compact = compact[3:]
    if _DIGITS_RE.match(compact):
        return QueryKind.DIGITS, compact.upper()
    if _HAN_RE.match(compact):
        return QueryKind.HAN, compact
    lowered = compact.lower()
    if _CODE_RE.match(lowered):
        return QueryKind.CODE, lowered
    if _LATIN_RE.match(lowered):
        return QueryKind.LATIN, lowered
    return QueryKind.NONE, ""


_SQL_SERVICE_EXACT = text(
    "SELECT a.customer_id, s.number FROM service s JOIN account a ON a.id = s.account_id "
    "WHERE s.number = :q"
)
_SQL_SERVICE_PREFIX = text(
    "SELECT a.customer_id, s.number FROM service s JOIN account a ON a.id = s.account_id "
    "WHERE s.number >= :lo AND s.number < :hi ORDER BY s.number LIMIT :limit"
)
_SQL_CONTACT_EXACT = text("SELECT id, contact_phone FROM customer WHERE contact_phone = :q")
_SQL_ACCOUNT_EXACT = text("SELECT customer_id, number FROM account WHERE number = :q")
_SQL_ID_EXACT = text("SELECT id, id_number FROM customer WHERE id_number = :q")
_SQL_ID_SUFFIX = text(
    "SELECT id, id_number FROM customer WHERE id_number_rev >= :lo AND id_number_rev < :hi "
    "ORDER BY id_number_rev LIMIT :limit"
)
_SQL_NAME_PREFIX = text(
    "SELECT id, name FROM customer WHERE name >= :lo AND name < :hi ORDER BY name, id LIMIT :limit"
)
_SQL_PINYIN_PREFIX = text(
    "SELECT id, name_pinyin FROM customer WHERE name_pinyin >= :lo AND name_pinyin < :hi "
    "ORDER BY name_pinyin, id LIMIT :limit"
)
_SQL_INITIALS_PREFIX = text(
    "SELECT id, name_initials FROM customer WHERE name_initials >= :lo "
    "AND name_initials < :hi ORDER BY name_initials, id LIMIT :limit"
)


def search_customers(session: Session, raw: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """Find customers by service number, contact phone, account, ID number (or its last
    4–6 characters), Chinese name prefix, full pinyin prefix or initials. Exact matches
    come first; a customer found by service number is not listed again by contact phone."""
    kind, q = normalise_query(raw)
    hits: list[SearchHit] = []
    seen: set[int] = set()

    def add(rows: object, match: MatchKind) -> None:
        for customer_id, matched in rows:  # type: ignore[attr-defined]
            if customer_id not in seen and len(hits) < limit:
                seen.add(customer_id)
                hits.append(SearchHit(customer_id, match, matched))

    if kind is QueryKind.DIGITS:
        if len(q) == 18:
            add(session.execute(_SQL_ID_EXACT, {"q": q}), MatchKind.ID_NUMBER)
        if q.isdigit():
            add(session.execute(_SQL_SERVICE_EXACT, {"q": q}), MatchKind.SERVICE_NUMBER)
            add(session.execute(_SQL_CONTACT_EXACT, {"q": q}), MatchKind.CONTACT_PHONE)
            add(session.execute(_SQL_ACCOUNT_EXACT, {"q": q}), MatchKind.ACCOUNT_NUMBER)
        if 4 <= len(q) <= 6:
            rev = q[::-1]
            add(
                session.execute(_SQL_ID_SUFFIX, {"lo": rev, "hi": rev + _TOP, "limit": limit}),
                MatchKind.ID_SUFFIX,
            )
        if len(q) >= 7 and q.isdigit() and not hits:
            add(
                session.execute(_SQL_SERVICE_PREFIX, {"lo": q, "hi": q + _TOP, "limit": limit}),
                MatchKind.SERVICE_NUMBER,
            )
    elif kind is QueryKind.CODE:
        add(session.execute(_SQL_SERVICE_EXACT, {"q": q}), MatchKind.SERVICE_NUMBER)
        if not hits:
            add(
                session.execute(_SQL_SERVICE_PREFIX, {"lo": q, "hi": q + _TOP, "limit": limit}),
                MatchKind.SERVICE_NUMBER,
            )
    elif kind is QueryKind.HAN:
        add(
            session.execute(_SQL_NAME_PREFIX, {"lo": q, "hi": q + _TOP, "limit": limit}),
            MatchKind.NAME,
        )
    elif kind is QueryKind.LATIN:
        params = {"lo": q, "hi": q + _TOP, "limit": limit}
        add(session.execute(_SQL_INITIALS_PREFIX, params), MatchKind.INITIALS)
        add(session.execute(_SQL_PINYIN_PREFIX, params), MatchKind.PINYIN)
    return hits


def search_hint(raw: str) -> tuple[str, dict[str, str]] | None:
    """Why a query found nothing when the query itself cannot be right (an 18-character
    ID number whose check digit or birth date is wrong): a msgid and its parameters."""
    kind, q = normalise_query(raw)
    if kind is not QueryKind.DIGITS or len(q) != 18:
        return None
    return id_number_problem(q)


_SQL_ROWS = text(
    "SELECT c.id, c.name, c.kind, c.id_number, c.contact_phone, COALESCE(g.name, '') "
    "FROM customer c LEFT JOIN grid_unit g ON g.id = c.grid_unit_id WHERE c.id IN ({ids})"
)


def _masked_row(
    cid: int, name: str, kind: str, id_number: str, phone: str, grid: str
) -> CustomerRow:
    """One results row from the columns of ``_ROW_COLUMNS``, its personal data masked."""
    return CustomerRow(
        customer_id=cid,
        name=name,
        kind=CustomerKind(kind),
        id_number_masked=mask_id_number(id_number),
        phone_masked=mask_phone(phone),
        grid_unit=grid,
    )


def customer_rows(session: Session, ids: list[int]) -> list[CustomerRow]:
    """Masked table rows for ``ids``, in the order given."""
    if not ids:
        return []
    placeholders = ", ".join(str(int(i)) for i in ids)
    result = session.execute(text(_SQL_ROWS.text.format(ids=placeholders)))
    by_id = {row[0]: _masked_row(*row) for row in result}
    return [by_id[i] for i in ids if i in by_id]


#: The exact matches of a string of digits, in the order ``search_customers`` lists them,
#: each with its results row: one statement (the same indexes as the separate queries).
_EXACT_PARTS: Final = {  # customer id, matched text, the rest of the statement
    MatchKind.ID_NUMBER: ("id", "id_number", "customer WHERE id_number = ?1"),
    MatchKind.SERVICE_NUMBER: (
        "a.customer_id",
        "s.number",
        "service s JOIN account a ON a.id = s.account_id WHERE s.number = ?1",
    ),
    MatchKind.CONTACT_PHONE: ("id", "contact_phone", "customer WHERE contact_phone = ?1"),
    MatchKind.ACCOUNT_NUMBER: ("customer_id", "number", "account WHERE number = ?1"),
}
_ROW_COLUMNS: Final = "c.id, c.name, c.kind, c.id_number, c.contact_phone, COALESCE(g.name, '')"


@functools.cache
def exact_lookup_sql(matches: tuple[MatchKind, ...]) -> str:
    """The one statement finding ``matches`` (exact kinds) with their rows: columns
    ``match order, matched text`` then ``_ROW_COLUMNS``; parameter 1 is the query."""
    parts = " UNION ALL ".join(
        "SELECT {n} AS ord, {0} AS cid, {1} AS matched FROM {2}".format(*_EXACT_PARTS[m], n=n)
        for n, m in enumerate(matches)
    )
    return (
        f"SELECT m.ord, m.matched, {_ROW_COLUMNS} FROM ({parts}) m "
        "JOIN customer c ON c.id = m.cid LEFT JOIN grid_unit g ON g.id = c.grid_unit_id "
        "ORDER BY m.ord, m.cid"
    )


def exact_matches(q: str) -> tuple[MatchKind, ...] | None:
    """The exact kinds ``search_customers`` would try for digits ``q``, or None when it
    would do more (an ID suffix, a service-number prefix: the general path)."""
    if not (q.isdigit() or len(q) == 18) or 4 <= len(q) <= 6:
        return None
    kinds: tuple[MatchKind, ...] = (MatchKind.ID_NUMBER,) if len(q) == 18 else ()
    if q.isdigit():
        kinds += (MatchKind.SERVICE_NUMBER, MatchKind.CONTACT_PHONE, MatchKind.ACCOUNT_NUMBER)
    return kinds


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the results table shows first: every hit, and the rows of the first ``page``."""

    hits: list[SearchHit]
    rows: list[CustomerRow]


def exact_lookup(
    cursor: Any, q: str, matches: tuple[MatchKind, ...], limit: int, page: int
) -> Lookup:
    """Run ``exact_lookup_sql(matches)`` for ``q`` on a driver ``cursor``: the hits as
    ``search_customers`` lists them (a customer once, at its first match), the rows of the
    first ``page``."""
    hits: list[SearchHit] = []
    rows: list[CustomerRow] = []
    seen: set[int] = set()
    for order, matched, *row in cursor.execute(exact_lookup_sql(matches), (q,)).fetchall():
        cid = row[0]
        if cid in seen or len(hits) >= limit:
            continue
        seen.add(cid)
        hits.append(SearchHit(cid, matches[order], matched))
        if len(rows) < page:
            rows.append(_masked_row(*row))
    return Lookup(hits, rows)
