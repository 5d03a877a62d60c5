"""SL-A derivation, gaps and blockers, worked by hand on a small catalogue."""

from __future__ import annotations

import pytest

from kb.services.levels import (
    Item,
    State,
    check_vector,
    derive,
    parse_vector,
    required,
)

ITEMS = [
    Item("SR 1.1", 1, 1),
    Item("SR 1.1 RE(1)", 1, 2),
    Item("SR 1.2", 1, 2),
    Item("SR 1.1 RE(2)", 1, 3),
    Item("SR 1.2 RE(1)", 1, 3),
    Item("SR 1.1 RE(3)", 1, 4),
    Item("SR 2.1", 2, 1),
    Item("SR 2.1 RE(1)", 2, 2),
    Item("SR 3.1", 3, 1),
    Item("SR 4.1", 4, 1),
    Item("SR 5.1", 5, 1),
    Item("SR 6.1", 6, 1),
    Item("SR 7.1", 7, 1),
    Item("SR 7.1 RE(1)", 7, 3, verify=True),
]
ALL_MET = {item.id: State("met") for item in ITEMS}
TARGET = [3, 2, 0, 1, 3, 1, 3]


def ids(items) -> list[str]:
    return [item.id for item in items]


def test_nothing_met_achieves_nothing_and_the_sl1_items_block():
    result = derive(ITEMS, {}, TARGET)
    assert result.sl_a == [0] * 7
    assert result.gap == TARGET
    assert ids(result.blockers[1]) == ["SR 1.1"]
    assert ids(result.blockers[7]) == ["SR 7.1"]


def test_everything_met_achieves_4_everywhere():
    result = derive(ITEMS, ALL_MET, TARGET)
    # FR 2 has nothing beyond SL 2, so meeting all of it meets SL 3 and 4 too.
    assert result.sl_a == [4] * 7
    assert result.gap == [0] * 7
    assert result.blockers == {}


def test_one_re_missing_at_sl3_stops_the_fr_at_2():
    states = ALL_MET | {"SR 1.2 RE(1)": State("not met")}
    result = derive(ITEMS, states, TARGET)
    assert result.sl_a[0] == 2 and result.gap[0] == 1
    assert ids(result.blockers[1]) == ["SR 1.2 RE(1)"]
    assert result.sl_a[1:] == [4] * 6


def test_partly_met_does_not_count():
    states = ALL_MET | {"SR 2.1 RE(1)": State("partly met")}
    result = derive(ITEMS, states, TARGET)
    assert result.sl_a[1] == 1 and result.gap[1] == 1
    assert ids(result.blockers[2]) == ["SR 2.1 RE(1)"]


@pytest.mark.parametrize(
    ("reason", "level"), [("no remote users on this zone", 4), ("", 0), ("   ", 0)]
)
def test_not_applicable_counts_only_with_a_reason(reason, level):
    states = ALL_MET | {"SR 1.1": State("not applicable", reason)}
    assert derive(ITEMS, states, TARGET).sl_a[0] == level


def test_an_unset_item_counts_as_not_met():
    states = dict(ALL_MET)
    del states["SR 1.1 RE(3)"]
    result = derive(ITEMS, states, TARGET)
    assert result.sl_a[0] == 3 and ids(result.blockers[1]) == ["SR 1.1 RE(3)"]


def test_a_target_of_0_has_no_gap_whatever_is_achieved():
    result = derive(ITEMS, {}, [0] * 7)
    assert result.sl_a == [0] * 7 and result.gap == [0] * 7


def test_achieved_above_target_is_no_negative_gap():
    assert derive(ITEMS, ALL_MET, TARGET).gap == [0] * 7


def test_an_item_flagged_to_verify_is_named_where_it_decides_the_level():
    result = derive(ITEMS, ALL_MET, TARGET)
    assert result.sl_a[6] == 4
    assert ids(result.uncertain[7]) == ["SR 7.1 RE(1)"]
    # Below SL 2 the flagged SL 3 item does not decide anything yet.
    low = derive(ITEMS, {}, TARGET)
    assert 7 not in low.uncertain


def test_required_follows_each_frs_target():
    assert ids(required(ITEMS, [1, 2, 0, 0, 0, 0, 3])) == [
        "SR 1.1",
        "SR 2.1",
        "SR 2.1 RE(1)",
        "SR 7.1",
        "SR 7.1 RE(1)",
    ]


@pytest.mark.parametrize(
    ("text", "vector"),
    [
        ("SL-T(zone) = {2 2 0 1 3 1 3}", [2, 2, 0, 1, 3, 1, 3]),
        ("SL-T(Control zone) = { 2 2 0 1 3 1 3 }", [2, 2, 0, 1, 3, 1, 3]),
        ("{4,4,4,4,4,4,4}", [4] * 7),
        ("1 1 1 1 1 1 1", [1] * 7),
        ("sl-t = {0 0 0 0 0 0 0}", [0] * 7),
    ],
)
def test_the_written_form_is_read(text, vector):
    assert parse_vector(text) == vector


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{2 2 0 1 3 1}", "has 6"),
        ("{2 2 0 1 3 1 3 3}", "has 8"),
        ("{2 2 0 1 5 1 3}", "RDF: 5 is not a level; use 0 to 4"),
        ("{2 2 0 1 3 1 -1}", "RA: -1 is not a level"),
        ("{a b c d e f g}", "IAC: 'a' is not a level"),
        ("", "has 0"),
    ],
)
def test_a_bad_written_form_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_vector(text)


def test_check_vector_refuses_fractions():
    with pytest.raises(ValueError, match="IAC: '2.5' is not a level"):
        check_vector([2.5, 1, 1, 1, 1, 1, 1])
