from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.domain.passwords import (
    MIN_PASSWORD_LENGTH,
    ONE_TIME_ALPHABET,
    PASSWORD_HISTORY,
    check_new_password,
    hash_password,
    one_time_password,
    verify_password,
)


def test_hash_verifies_and_is_salted() -> None:
    first = hash_password("demo", n=2**10)
    second = hash_password("demo", n=2**10)
    assert first != second
    assert verify_password("demo", first)
    assert not verify_password("Demo", first)


def test_malformed_or_missing_hash_never_verifies() -> None:
    assert not verify_password("demo", None)
    assert not verify_password("demo", "")
    assert not verify_password("demo", "md5$abc")
    assert not verify_password("demo", "scrypt$1$2")


def test_default_parameters_are_memory_hard() -> None:
    stored = hash_password("x")
    scheme, n, r, _p, _salt, _digest = stored.split("$")
    assert scheme == "scrypt"
    assert int(n) * int(r) * 128 >= 16 * 2**20  # at least 16 MiB per hash


# --- the rules a staff password keeps (issue 16) ---------------------------------------------


def test_a_short_password_is_refused_with_the_minimum() -> None:
    with pytest.raises(ValidationError) as refused:
        check_new_password("x" * (MIN_PASSWORD_LENGTH - 1), "A001", ())
    assert refused.value.field == "password"
    assert str(MIN_PASSWORD_LENGTH) in str(refused.value)
    check_new_password("x" * MIN_PASSWORD_LENGTH, "A001", ())


def test_the_staff_number_is_not_a_password_in_any_case() -> None:
    for given in ("LEADER01", "leader01", " Leader01 "):
        with pytest.raises(ValidationError, match="staff number"):
            check_new_password(given, "leader01", ())


def test_none_of_the_last_passwords_again() -> None:
    old = [hash_password(f"old-password-{n}", n=2**10) for n in range(PASSWORD_HISTORY + 1)]
    for n in range(PASSWORD_HISTORY):  # newest first: the current one and those before
        with pytest.raises(ValidationError, match=str(PASSWORD_HISTORY)):
            check_new_password(f"old-password-{n}", "A001", old)
    # Older than the last few: allowed again.
    check_new_password(f"old-password-{PASSWORD_HISTORY}", "A001", old)


def test_one_time_passwords_are_random_and_unambiguous() -> None:
    seen = {one_time_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        assert len(password) >= MIN_PASSWORD_LENGTH
        assert set(password) <= set(ONE_TIME_ALPHABET)
        assert not set(password) & set("0O1lI")
