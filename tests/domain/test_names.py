from __future__ import annotations

import pytest

from app.domain.names import pinyin_keys


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("李小龙", "lixiaolong", "lxl"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("单田芳", "shantianfang", "stf"),
        ("曾国藩", "zengguofan", "zgf"),
        ("解缙", "xiejin", "xj"),
        ("吕布", "lvbu", "lb"),
        ("王喆", "wangzhe", "wz"),
        ("万俟咏", "moqiyong", "mqy"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("尉迟恭", "yuchigong", "ycg"),
    ],
)
def test_pinyin_keys(name: str, full: str, initials: str) -> None:
    assert pinyin_keys(name) == (full, initials)


def test_polyphonic_surname_reading_only_applies_to_the_surname() -> None:
    # 单 as a given-name character keeps its common reading "dan".
    assert pinyin_keys("王单")[0] == "wangdan"


def test_non_chinese_characters_keep_letters_only() -> None:
    assert pinyin_keys("张·三A") == ("zhangsana", "zsa")
