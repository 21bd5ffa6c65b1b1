from __future__ import annotations

from app.domain.passwords import hash_password, verify_password


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
