"""What every OSCAL document of csms-kb shares: the OSCAL version (the one
compliance-trestle's models follow), stable uuids, the namespace of our own property
and part names, the metadata block and the planning-summary notice."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from trestle.oscal import OSCAL_VERSION
from trestle.oscal import common as oscal

# Our own property and part names carry this namespace; OSCAL's own names carry none.
NS = "urn:csms-kb:oscal"
_UUIDS = uuid.uuid5(uuid.NAMESPACE_URL, NS)
NOTICE = (
    "These are csms-kb's planning summaries of IEC 62443 requirements, in our own "
    "words: they are not the text of the standards. Identifiers and short titles are "
    "facts; validate each requirement against the issuer's publication (IEC and ISA)."
)
_TOKEN_START = re.compile(r"^[A-Za-z_]")


def stable_uuid(*names: object) -> str:
    """A version 5 uuid of `names`: the same document gives the same uuids each time,
    so that a tool comparing two exports sees what really changed."""
    return str(uuid.uuid5(_UUIDS, "/".join(str(n) for n in names)))


def token(slug: str) -> str:
    """An OSCAL token (it starts with a letter) from a catalogue slug: `sr-1-1-re-1`
    stays, `4-3-3-2` (a 2-1:2010 clause) becomes `clause-4-3-3-2`."""
    return slug if _TOKEN_START.match(slug) else f"clause-{slug}"


def one_line(text: object) -> str:
    """A person's text as OSCAL wants titles and values: one line, no spaces at its
    ends."""
    return " ".join(str(text).split())


def prop(name: str, value: object, ours: bool = True) -> oscal.Property:
    """A property; `ours` puts the name in csms-kb's namespace."""
    return oscal.Property(name=name, value=one_line(value), ns=NS if ours else None)


def metadata(
    title: str, version: str, last_modified: datetime, remarks: str = NOTICE
) -> oscal.Metadata:
    return oscal.Metadata(
        title=one_line(title),
        last_modified=last_modified,
        version=version,
        oscal_version=oscal.OscalVersion(OSCAL_VERSION),
        remarks=remarks,
    )


def notice_resource(what: str) -> oscal.Resource:
    """The back-matter resource that says these are planning summaries."""
    return oscal.Resource(
        uuid=stable_uuid("notice", what),
        title="Planning summaries, not the standard's text",
        description=NOTICE,
    )
