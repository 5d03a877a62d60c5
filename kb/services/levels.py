"""Security-level arithmetic of 62443-3-3 and 62443-4-2: pure functions of rows, no
session.

An SR, CR or RE applies from its lowest security level `sl_min` upwards (the catalogue's
applicability is contiguous). A zone achieves SL n for an FR (its SL-A), and a component
its SL-C, when every item of that FR required at SL n counts as met: `met`, or
`not applicable` with a reason. Zones and components share this code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from kb.vocabulary import COMPONENT_TYPE_PREFIX, FOUNDATIONAL_REQUIREMENTS

FRS = range(1, 8)
WRITTEN_VECTOR = re.compile(
    r"^\s*(?:SL-?[TCA]\s*(?:\([^)]*\))?\s*=\s*)?\{?\s*([^{}]*?)\s*\}?\s*$", re.I
)


@dataclass(frozen=True)
class Item:
    """What the derivation needs of one SR or RE (loaded as columns)."""

    id: str
    fr: int
    sl_min: int
    verify: bool = False


class State(NamedTuple):
    """A zone's state of one item (a tuple: vector tables build thousands)."""

    state: str
    reason: str = ""

    @property
    def counts_as_met(self) -> bool:
        return self.state == "met" or (
            self.state == "not applicable" and bool(self.reason.strip())
        )


@dataclass
class Derived:
    """A zone's vectors: SL-A, the gap to SL-T, and per FR what blocks the next level."""

    sl_t: list[int]
    sl_a: list[int]
    gap: list[int]
    blockers: dict[int, list[Item]] = field(default_factory=dict)
    # Items flagged `verify` in the catalogue whose level decides an FR's SL-A.
    uncertain: dict[int, list[Item]] = field(default_factory=dict)


def achieved(items: list[Item], states: dict[str, State]) -> list[int]:
    """SL-A per FR: the highest n such that every item of the FR required at n counts
    as met, which is one below the lowest level of an unmet item (4 when none is)."""
    lowest_unmet = dict.fromkeys(FRS, 5)
    for item in items:
        if item.sl_min < lowest_unmet[item.fr] and not _met(states, item):
            lowest_unmet[item.fr] = item.sl_min
    return [lowest_unmet[fr] - 1 for fr in FRS]


def _met(states: dict[str, State], item: Item) -> bool:
    state = states.get(item.id)
    return bool(state and state.counts_as_met)


def derive(items: list[Item], states: dict[str, State], sl_t: list[int]) -> Derived:
    """SL-A, the gap SL-T minus SL-A (never below 0), and the unmet items that block the
    next level of each FR."""
    sl_a = achieved(items, states)
    derived = Derived(
        sl_t=list(sl_t),
        sl_a=sl_a,
        gap=[max(0, t - a) for t, a in zip(sl_t, sl_a, strict=True)],
    )
    for fr, level in zip(FRS, sl_a, strict=True):
        of_fr = [i for i in items if i.fr == fr]
        if level < 4:
            derived.blockers[fr] = [
                i for i in of_fr if i.sl_min <= level + 1 and not _met(states, i)
            ]
        uncertain = [i for i in of_fr if i.verify and i.sl_min <= min(level + 1, 4)]
        if uncertain:
            derived.uncertain[fr] = uncertain
    return derived


def required(items: list[Item], sl_t: list[int]) -> list[Item]:
    """The items a zone's SL-T requires: those of each FR from SL 1 up to its target."""
    return [i for i in items if i.sl_min <= sl_t[i.fr - 1]]


def applies_to(item_id: str, component_type: str) -> bool:
    """Whether a 62443-4-2 item holds a component of this type: every CCSC, CR and RE,
    and of the component-type requirements (SAR, EDR, HDR, NDR) only its own type's."""
    prefix = item_id.split(" ", 1)[0]
    if prefix in COMPONENT_TYPE_PREFIX.values():
        return prefix == COMPONENT_TYPE_PREFIX[component_type]
    return True


def vector_text(vector: list[int]) -> str:
    """An SL vector as it is written: `{2 2 0 1 3 1 3}`."""
    return "{" + " ".join(map(str, vector)) + "}"


def parse_vector(text: str) -> list[int]:
    """Read `SL-T(zone) = {2 2 0 1 3 1 3}`, `{2,2,0,1,3,1,3}` or `2 2 0 1 3 1 3`.

    Raises ValueError saying what is wrong and what is allowed.
    """
    match = WRITTEN_VECTOR.match(text or "")
    values = (
        re.split(r"[\s,;]+", match[1].strip()) if match and match[1].strip() else []
    )
    if len(values) != 7:
        raise ValueError(
            f"a vector has 7 levels, one per FR ({' '.join(FOUNDATIONAL_REQUIREMENTS)}); "
            f"'{text.strip()[:60]}' has {len(values)}"
        )
    return check_vector(values)


def check_vector(values: list) -> list[int]:
    """Seven whole levels 0-4, or ValueError naming the first bad one by its FR."""
    if len(values) != 7:
        raise ValueError(
            f"a vector has 7 levels, one per FR; this one has {len(values)}"
        )
    levels = []
    for fr, value in zip(FOUNDATIONAL_REQUIREMENTS, values, strict=True):
        try:
            level = int(str(value).strip())
        except ValueError:
            raise ValueError(f"{fr}: '{value}' is not a level; use 0 to 4") from None
        if not 0 <= level <= 4:
            raise ValueError(f"{fr}: {level} is not a level; use 0 to 4")
        levels.append(level)
    return levels
