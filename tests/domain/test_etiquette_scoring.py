"""Scoring of etiquette checklists: weights, not applicable, scales, critical fails,
mandatory items, ranking; with Hypothesis for the properties that must hold for any answers."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import paths
from app.domain.errors import ValidationError
from app.domain.etiquette_scoring import (
    ItemSpec,
    LocalText,
    ResponseKind,
    SectionSpec,
    TemplateError,
    TemplateKind,
    TemplateSpec,
    check_signable,
    failure_rate,
    format_percent,
    percent_tenths,
    rank_scores,
    score_checklist,
    score_item,
)


def _t(text: str) -> LocalText:
    return LocalText(text, text)


def pf(key: str, weight: int = 1, *, mandatory: bool = True, critical: bool = False) -> ItemSpec:
    return ItemSpec(key, _t(key), weight=weight, mandatory=mandatory, critical=critical)


def scale(key: str, top: int, mark: int, weight: int = 1) -> ItemSpec:
    return ItemSpec(key, _t(key), ResponseKind.SCALE, max_points=top, pass_mark=mark, weight=weight)


def template(*sections: tuple[str, tuple[ItemSpec, ...]], pass_percent: int = 80) -> TemplateSpec:
    return TemplateSpec(
        "t",
        TemplateKind.INSPECTION,
        _t("T"),
        tuple(SectionSpec(k, _t(k), items) for k, items in sections),
        pass_percent=pass_percent,
    )


SIMPLE = template(
    ("a", (pf("a1", 1), pf("a2", 3))),
    ("b", (scale("b1", 5, 3, 2), pf("b2", 1, critical=True))),
)


def test_weighted_score_of_pass_fail_and_scale() -> None:
    result = score_checklist(SIMPLE, {"a1": "pass", "a2": "fail", "b1": "4", "b2": "pass"})
    # (1*1 + 3*0 + 2*4/5 + 1*1) / (1+3+2+1) = 3.6 / 7
    assert result.score == Fraction(18, 35)
    assert result.section("a").score == Fraction(1, 4)
    assert result.section("b").score == Fraction(2 * 4, 5 * 3) + Fraction(1, 3)
    assert result.failed_items == ("a2",)
    assert result.passed is False
    assert percent_tenths(result.score) == 514
    assert format_percent(514) == "51.4%"


def test_not_applicable_is_left_out_of_the_denominator() -> None:
    with_na = score_checklist(SIMPLE, {"a1": "pass", "a2": "na", "b1": "5", "b2": "pass"})
    assert with_na.score == 1
    assert with_na.section("a").counted == 1
    assert with_na.item("a2").not_applicable


def test_everything_not_applicable_has_no_score_and_cannot_be_signed() -> None:
    answers = {"a1": "na", "a2": "na", "b1": "na", "b2": "na"}
    result = score_checklist(SIMPLE, answers)
    assert result.score is None and result.passed is None
    with pytest.raises(ValidationError):
        check_signable(SIMPLE, answers)


def test_critical_fail_fails_the_inspection_whatever_the_score() -> None:
    big = template(
        ("a", (*(pf(f"i{n}", 10) for n in range(9)), pf("crit", 1, critical=True))),
        pass_percent=50,
    )
    answers = {f"i{n}": "pass" for n in range(9)} | {"crit": "fail"}
    result = score_checklist(big, answers)
    assert result.score is not None and result.score == Fraction(90, 91)
    assert result.critical_failed and result.passed is False


def test_scale_below_pass_mark_fails_the_item() -> None:
    item = scale("s", 5, 3)
    assert score_item(item, "2").failed
    assert not score_item(item, "3").failed
    assert score_item(item, "3").fraction == Fraction(3, 5)


@pytest.mark.parametrize("value", ["6", "-1", "x", "pass"])
def test_scale_answers_out_of_range_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        score_item(scale("s", 5, 3), value)


def test_na_refused_where_not_allowed() -> None:
    item = ItemSpec("k", _t("k"), allow_na=False)
    with pytest.raises(ValidationError):
        score_item(item, "na")


def test_mandatory_items_must_be_answered_before_signing() -> None:
    spec = template(("a", (pf("m1"), pf("opt", mandatory=False), pf("m2"))))
    with pytest.raises(ValidationError) as caught:
        check_signable(spec, {"m1": "pass"})
    assert caught.value.params["count"] == 1
    assert check_signable(spec, {"m1": "pass", "m2": "pass"}).score == 1


def test_answers_to_unknown_items_are_refused() -> None:
    with pytest.raises(ValidationError):
        score_checklist(SIMPLE, {"nope": "pass"})


def test_percent_rounds_half_up() -> None:
    assert percent_tenths(Fraction(8765, 10000)) == 877
    assert percent_tenths(Fraction(8764, 10000)) == 876
    assert percent_tenths(Fraction(1, 8)) == 125  # 12.5 exactly
    assert percent_tenths(Fraction(1, 16)) == 63  # 6.25 → 6.3
    assert percent_tenths(None) is None


def test_ranking_shares_ranks_on_ties() -> None:
    ranked = rank_scores({1: 900, 2: 950, 3: 900, 4: 800})
    assert [(e.rank, e.key) for e in ranked] == [(1, 2), (2, 1), (2, 3), (4, 4)]


def test_failure_rate() -> None:
    assert failure_rate(1, 4) == Fraction(1, 4)
    assert failure_rate(0, 0) is None
    with pytest.raises(ValueError):
        failure_rate(3, 2)


def test_template_rules() -> None:
    with pytest.raises(TemplateError):
        template(("a", (pf("x"), pf("x"))))
    with pytest.raises(TemplateError):
        scale("s", 11, 3)
    with pytest.raises(TemplateError):
        scale("s", 5, 6)
    with pytest.raises(TemplateError):
        pf("Bad Key")
    with pytest.raises(TemplateError):
        pf("w", 0)


def test_shipped_templates_load_and_round_trip() -> None:
    files = sorted(Path(paths.resource("checklists")).glob("*.json"))
    kinds = set()
    for path in files:
        spec = TemplateSpec.from_dict(json.loads(path.read_text(encoding="utf-8")))
        assert TemplateSpec.from_dict(spec.to_dict()) == spec
        kinds.add(spec.kind)
        for item in spec.items:
            assert item.text.zh and item.text.en
    assert kinds == set(TemplateKind)
    counter = TemplateSpec.from_dict(
        json.loads((paths.resource("checklists") / "counter_inspection.json").read_text("utf-8"))
    )
    assert counter.item("no_forbidden_phrases").critical
    assert counter.item("five_voices").response is ResponseKind.SCALE
    assert {s.key for s in counter.sections} >= {"appearance", "conduct", "serving", "opening"}


# --- properties ---------------------------------------------------------------------------


@st.composite
def items_and_answers(draw: st.DrawFn) -> tuple[TemplateSpec, dict[str, str]]:
    n = draw(st.integers(1, 12))
    specs = []
    answers = {}
    for i in range(n):
        weight = draw(st.integers(1, 20))
        critical = draw(st.booleans())
        if draw(st.booleans()):
            top = draw(st.integers(1, 10))
            mark = draw(st.integers(1, top))
            item = ItemSpec(
                f"i{i}", _t("x"), ResponseKind.SCALE, top, mark, weight, critical=critical
            )
        else:
            item = ItemSpec(f"i{i}", _t("x"), weight=weight, critical=critical)
        specs.append(item)
        answers[item.key] = draw(st.sampled_from(item.choices()))
    spec = TemplateSpec(
        "p", TemplateKind.INSPECTION, _t("p"), (SectionSpec("s", _t("s"), tuple(specs)),)
    )
    return spec, answers


@given(items_and_answers())
def test_score_is_a_fraction_of_one(case: tuple[TemplateSpec, dict[str, str]]) -> None:
    spec, answers = case
    result = score_checklist(spec, answers)
    if result.score is not None:
        assert 0 <= result.score <= 1
        assert 0 <= (percent_tenths(result.score) or 0) <= 1000
    assert result.critical_failed == any(
        spec.item(k).critical and result.item(k).failed for k in answers
    )
    if result.critical_failed:
        assert result.passed is False


@given(items_and_answers(), st.integers(2, 7))
def test_scaling_every_weight_changes_nothing(
    case: tuple[TemplateSpec, dict[str, str]], factor: int
) -> None:
    spec, answers = case
    scaled = TemplateSpec(
        spec.code,
        spec.kind,
        spec.title,
        tuple(
            SectionSpec(
                s.key,
                s.title,
                tuple(
                    ItemSpec(
                        i.key,
                        i.text,
                        i.response,
                        i.max_points,
                        i.pass_mark,
                        min(i.weight * factor, 100),
                        critical=i.critical,
                    )
                    for i in s.items
                ),
            )
            for s in spec.sections
        ),
    )
    if all(i.weight * factor <= 100 for i in spec.items):
        assert score_checklist(scaled, answers).score == score_checklist(spec, answers).score


@given(items_and_answers(), st.data())
def test_adding_a_not_applicable_item_changes_no_score(
    case: tuple[TemplateSpec, dict[str, str]], data: st.DataObject
) -> None:
    spec, answers = case
    extra = ItemSpec("extra", _t("e"), weight=data.draw(st.integers(1, 100)))
    bigger = TemplateSpec(
        spec.code,
        spec.kind,
        spec.title,
        (SectionSpec("s", _t("s"), (*spec.sections[0].items, extra)),),
    )
    assert (
        score_checklist(bigger, {**answers, "extra": "na"}).score
        == score_checklist(spec, answers).score
    )


@given(items_and_answers(), st.data())
def test_improving_an_answer_never_lowers_the_score(
    case: tuple[TemplateSpec, dict[str, str]], data: st.DataObject
) -> None:
    spec, answers = case
    key = data.draw(st.sampled_from(sorted(answers)))
    item = spec.item(key)
    if answers[key] == "na":
        return
    best = "pass" if item.response is ResponseKind.PASS_FAIL else str(item.max_points)
    before = score_checklist(spec, answers).score
    after = score_checklist(spec, {**answers, key: best}).score
    assert before is not None and after is not None and after >= before


@given(st.dictionaries(st.integers(1, 50), st.integers(0, 1000), min_size=1))
def test_ranking_properties(scores: dict[int, int]) -> None:
    ranked = rank_scores(scores)
    assert [e.key for e in ranked] == sorted(scores, key=lambda k: (-scores[k], k))
    assert ranked[0].rank == 1
    for before, after in itertools.pairwise(ranked):
        assert after.score <= before.score
        if after.score == before.score:
            assert after.rank == before.rank
        else:
            # competition ranking: the rank is one more than the number of better entries
            assert after.rank == 1 + sum(1 for e in ranked if e.score > after.score)


def _weighted(passed: tuple[int, ...], failed: tuple[int, ...], mark: int) -> TemplateSpec:
    items = [pf(f"p{n}", w) for n, w in enumerate(passed)]
    items += [pf(f"f{n}", w) for n, w in enumerate(failed)]
    return template(("a", tuple(items)), pass_percent=mark)


def test_the_verdict_follows_the_score_as_shown() -> None:
    """Issue 12 item 13: with a pass mark of 85 %, an inspection scoring 84.96 % was shown
    "85.0 %" and failed. The verdict is decided on the figure shown, stored and reported."""
    spec = _weighted((100, 100, 100, 100, 100, 31), (94,), 85)  # 531 / 625 = 84.96 %
    answers = {f"p{n}": "pass" for n in range(6)} | {"f0": "fail"}
    result = score_checklist(spec, answers)
    assert result.score == Fraction(531, 625)
    assert format_percent(percent_tenths(result.score)) == "85.0%"
    assert result.passed is True
    below = _weighted((100, 100, 100, 100, 100, 28), (94,), 85)  # 528 / 622 = 84.887… %
    low = score_checklist(below, {f"p{n}": "pass" for n in range(6)} | {"f0": "fail"})
    assert format_percent(percent_tenths(low.score)) == "84.9%"
    assert low.passed is False


@given(
    weights=st.lists(st.integers(1, 100), min_size=1, max_size=12),
    fails=st.lists(st.booleans(), min_size=12, max_size=12),
    mark=st.integers(0, 100),
)
def test_passed_exactly_when_the_shown_figure_reaches_the_mark(
    weights: list[int], fails: list[bool], mark: int
) -> None:
    spec = template(("a", tuple(pf(f"i{n}", w) for n, w in enumerate(weights))), pass_percent=mark)
    answers = {f"i{n}": "fail" if fails[n] else "pass" for n in range(len(weights))}
    result = score_checklist(spec, answers)
    shown = format_percent(percent_tenths(result.score))
    assert result.passed is (float(shown.rstrip("%")) >= mark)
