from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.domain.identity import (
    id_check_char,
    is_fixed_line,
    is_mobile,
    is_valid_id_number,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_phone,
)


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        # The standard's worked example (GB 11643-1999 annex) and well-known samples.
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        ("11010119900307803", "X"),
        ("31010419700101001", "2"),
    ],
)
def test_check_character(first17: str, check: str) -> None:
    assert id_check_char(first17) == check
    assert is_valid_id_number(first17 + check)


def test_lowercase_x_is_accepted_and_wrong_check_refused() -> None:
    assert is_valid_id_number("11010519491231002x")
    assert not is_valid_id_number("110105194912310021")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "123",
        "11010519491231002",
        "1101051949123100XX",
        "11010519491331002X",
        "A1010519491231002X",
    ],
)
def test_malformed_ids_are_invalid(value: str) -> None:
    assert not is_valid_id_number(value)


def test_impossible_birth_date_is_invalid() -> None:
    first17 = "11010519490230002"  # 30 February
    assert not is_valid_id_number(first17 + id_check_char(first17))


def test_mobile_prefixes() -> None:
    assert is_mobile("13812345678")
    assert is_mobile("19912345678")
    assert not is_mobile("12012345678")  # no operator uses 120
    assert not is_mobile("1381234567")


def test_fixed_lines() -> None:
    assert is_fixed_line("02112345678")
    assert is_fixed_line("01012345678")
    assert is_fixed_line("07551234567")
    assert not is_fixed_line("2112345678")


def test_validate_phone_normalises_and_explains() -> None:
    assert validate_phone("+86 138-1234-5678") == "13812345678"
    with pytest.raises(ValidationError) as err:
        validate_phone("12012345678")
    assert err.value.field == "phone"
    assert "11" in err.value.user_message()
    with pytest.raises(ValidationError):
        validate_phone("")
    with pytest.raises(ValidationError):
        validate_phone("abc")


def test_masking() -> None:
    assert mask_id_number("31010419700101001X") == "3101**********001X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("02112345678") == "021****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("上海某某科技有限公司", organisation=True) == "上海某某科技有限公司"


def test_masked_values_never_contain_the_hidden_part() -> None:
    value = "31010419700101001X"
    assert value[4:14] not in mask_id_number(value)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("上海市浦东新区世纪大道1168号1楼", "上海市浦东新区****"),
        ("上海市黄浦区南京东路100弄3号201室", "上海市黄浦区****"),
        ("广西壮族自治区南宁市青秀区民族大道1号", "广西壮族自治区南宁市青秀区****"),
        ("浙江省杭州市西湖区文三路", "浙江省杭州市西湖区****"),
        ("江苏省昆山市前进路8号", "江苏省昆山市****"),
        ("云南省大理白族自治州漾濞彝族自治县苍山西镇", "云南省大理白族自治州漾濞彝族自治县****"),
        (
            "内蒙古自治区呼伦贝尔市鄂温克族自治旗巴彦托海镇",
            "内蒙古自治区呼伦贝尔市鄂温克族自治旗****",
        ),
        ("Flat 3, 10 Downing Street", "****"),
        ("世纪大道1168号", "****"),
        ("", ""),
    ],
)
def test_address_keeps_only_its_district(address: str, masked: str) -> None:
    """Service manual, information security: personal data is masked on screen and paper
    except where a task needs it; the district tells the clerk the grid, the rest waits for
    the identity check. Unrecognised addresses are masked whole."""
    assert mask_address(address) == masked
