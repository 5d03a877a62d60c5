"""What the JSON API answers about service offerings: the coverage matrix, an
offering's requirements, and a client's proposal (see responses.py for the rest)."""

from __future__ import annotations

from pydantic import BaseModel


class Mapping(BaseModel):
    requirement: str
    coverage: str


class ShareOut(BaseModel):
    requirements: int
    full: int
    partial: int
    supports: int
    covered: int
    covered_share: float | None
    full_share: float | None
    blind_spots: list[str]


class AreaShare(ShareOut):
    area: str


class PartShare(ShareOut):
    part: str
    areas: list[AreaShare]


class SharesOut(BaseModel):
    whole: ShareOut
    parts: list[PartShare]


class OfferingOut(BaseModel):
    id: str
    title: str
    url: str
    origin: str
    addresses: list[Mapping]


class OfferingList(BaseModel):
    count: int
    offerings: list[OfferingOut]


class OfferingDetail(OfferingOut):
    summary: str
    tags: list[str]
    coverage: SharesOut


class MatrixOut(SharesOut):
    offerings: list[str]


class RankedOut(BaseModel):
    order: int
    offering: str
    title: str
    closes: int
    running_total: int


class OptionOut(BaseModel):
    offering: str
    covers: list[Mapping]
    closes: int


class GapOut(BaseModel):
    label: str
    kind: str
    requirement: str | None
    zone_id: int | None
    fr: int | None
    current: int
    target: int
    gap: int
    offerings: list[OptionOut]


class ProposalOut(BaseModel):
    rule: str
    total_gap: int
    closed: int
    ranked: list[RankedOut]
    gaps: list[GapOut]
