"""Ids of the hall's own records: derived from their codes, never clashing across PCs."""

from __future__ import annotations

from app.domain.ids import HALL_ID_MAX, HALL_ID_MIN, hall_record_id


def test_the_same_code_gives_the_same_id_on_every_pc() -> None:
    """Two PCs that add staff number A009 offline create one record, not two that clash
    on the unique staff number when they sync."""
    assert hall_record_id("staff", "a009") == hall_record_id("staff", " A009 ")
    assert hall_record_id("staff", "A009") != hall_record_id("staff", "A010")
    assert hall_record_id("staff", "C01") != hall_record_id("counter", "C01")


def test_ids_stay_clear_of_the_centres_serials_and_exact_in_json() -> None:
    ids = {hall_record_id("staff", f"S{n:05d}") for n in range(5000)}
    assert len(ids) == 5000
    assert all(HALL_ID_MIN <= i < HALL_ID_MAX <= 2**53 for i in ids)
