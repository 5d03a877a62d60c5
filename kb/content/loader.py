"""Read every content file, validate it, and check the links between files.

Every problem is collected (none stops the reading of the rest) and reported as
`path:line: message`, so one run of `kb check` shows everything to fix.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kb.content.frontmatter import Document, FrontMatterError, parse_yaml, split
from kb.content.kinds import (
    KINDS,
    SYNONYMS_FILE,
    Content,
    Crosswalk,
    Requirement,
    Synonyms,
    slugify,
)
from kb.errors import Problem
from kb.vocabulary import TECHNICAL_PARTS

# The folders an extra content folder (EXTRA_CONTENT_DIR) may hold.
EXTRA_FOLDERS = ("offerings", "sectors", "evidence")
WIKILINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
SUMMARY_WORDS = (40, 150)
# ML 1 is a practice done ad hoc; not doing it at all is level 0. An ML 1 line whose
# first clause says the practice is absent is refused.
ABSENT = re.compile(
    r"^(?:nobody|no one|nothing|none|no)\b"
    r"|\b(?:never|indefinitely|as shipped|as received|not at all)\b",
    re.I,
)
# What an offering leaves to its client: every offering says it (see offering pages).
OWNER_SECTION = "**What stays the asset owner's job.**"
COUNTERS_SECTION = "**What counters it.**"

# relation -> the kind its target must be
TARGET_KIND = {
    "area": "area",
    "parent": "requirement",
    "related": "requirement",
    "evidence": "evidence",
    "policy": "policy",
    "addresses": "requirement",
    "offering": "offering",
    "framework": "framework",
    "bears-on": "requirement",
    "counter": "requirement",
}


def problem_at(path: str, line: int, message: str) -> Problem:
    """A fault in a content file, located as `path:line`."""
    return Problem(f"{path}:{line}", message)


@dataclass
class Entry:
    kind: str
    path: str
    model: Content
    doc: Document
    origin: str = "ours"  # a key of kb.vocabulary.ORIGINS

    def line(self, loc: tuple = ()) -> int:
        return self.doc.line_of(loc)


@dataclass
class Catalogue:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    digest: str = ""
    synonyms: list[list[str]] = field(default_factory=list)  # groups of search terms


def content_files(root: Path, folders=KINDS) -> list[tuple[str, Path]]:
    """Return (kind, path) for every content file under `root`, in a stable order."""
    files = []
    for folder in folders:
        kind = KINDS[folder][0]
        pattern = "*.yaml" if kind == "crosswalk" else "*.md"
        files += [(kind, path) for path in sorted((root / folder).rglob(pattern))]
    return files


def read_tree(root: Path, extras: Sequence[Path] = ()) -> Catalogue:
    """Parse and check every file under `root` and the deployment's `extras` folders;
    problems are collected, not raised.

    An extra folder holds only EXTRA_FOLDERS. Its files add to ours, and one with the id
    of one of ours of the same kind replaces it (origin "override")."""
    catalogue = Catalogue()
    digest = hashlib.sha256()
    ours = _read(root, KINDS, root.parent, "ours", catalogue, digest)
    added: list[Entry] = []
    for extra in extras:
        if not extra.is_dir():
            catalogue.problems.append(
                Problem(str(extra), "the extra content folder does not exist")
            )
            continue
        catalogue.problems += _misplaced(extra)
        added += _read(extra, EXTRA_FOLDERS, None, "added", catalogue, digest)
    catalogue.entries = _merge(ours, added)
    catalogue.synonyms = _synonyms(root, catalogue.problems, digest)
    catalogue.digest = digest.hexdigest()
    catalogue.problems += check_links(catalogue.entries)
    return catalogue


def _read(root, folders, shown_from, origin, catalogue, digest) -> list[Entry]:
    entries = []
    models = {kind: model for kind, model, _prefix in KINDS.values()}
    for kind, path in content_files(root, folders):
        text = path.read_text(encoding="utf-8")
        digest.update(str(path.relative_to(root)).encode() + b"\0" + text.encode())
        shown = str(path.relative_to(shown_from) if shown_from else path)
        entry = _parse(kind, models[kind], path, shown, text, catalogue.problems)
        if entry:
            entry.origin = origin
            entries.append(entry)
    return entries


def _synonyms(root: Path, problems: list[Problem], digest) -> list[list[str]]:
    """The groups of content/synonyms.yaml, checked: a term may be in one group only."""
    path = root / SYNONYMS_FILE
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    digest.update(SYNONYMS_FILE.encode() + b"\0" + text.encode())
    shown = str(path.relative_to(root.parent))
    try:
        meta, lines = parse_yaml(text)
    except FrontMatterError as exc:
        problems.append(problem_at(shown, exc.line, exc.message))
        return []
    doc = Document(meta if isinstance(meta, dict) else {}, "", 1, lines)
    try:
        parsed = Synonyms.model_validate(meta)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            where = ".".join(str(part) for part in loc) or "file"
            problems.append(
                problem_at(shown, doc.line_of(loc), f"{where}: {error['msg']}")
            )
        return []
    seen: dict[str, int] = {}
    for number, group in enumerate(parsed.groups):
        for position, term in enumerate(group):
            if term in seen:
                problems.append(
                    problem_at(
                        shown,
                        doc.line_of(("groups", number, position)),
                        f"'{term}' is already in group {seen[term] + 1}; a term "
                        "belongs to one group",
                    )
                )
            seen.setdefault(term, number)
    return parsed.groups


def _absent_ml1(entry: Entry) -> list[Problem]:
    """ML 1 lines that describe the practice as not done at all (that is level 0)."""
    out = []
    for offset, row in enumerate(entry.doc.body.splitlines()):
        match = re.match(r"^- ML 1: (.*)$", row)
        if match and ABSENT.search(re.split(r"[;,:]", match[1])[0].strip()):
            out.append(
                problem_at(
                    entry.path,
                    entry.doc.body_line + offset,
                    "ML 1 is the practice done ad hoc, not its absence (that is level "
                    "0): say what is done, informally or unevenly",
                )
            )
    return out


def _misplaced(extra: Path) -> list[Problem]:
    """Files of an extra folder that lie outside the folders it may hold."""
    allowed = ", ".join(f"{folder}/" for folder in EXTRA_FOLDERS)
    return [
        Problem(
            str(path),
            f"an extra content folder holds only {allowed}; this file is not read",
        )
        for path in sorted(extra.rglob("*"))
        if path.suffix in (".md", ".yaml")
        and path.relative_to(extra).parts[0] not in EXTRA_FOLDERS
    ]


def _merge(ours: list[Entry], added: list[Entry]) -> list[Entry]:
    """Ours with the extra entries: an extra entry of one of our ids replaces it (ids
    carry their kind's prefix, so it is of the same kind)."""
    by_id = {entry.model.id: index for index, entry in enumerate(ours)}
    merged = list(ours)
    for entry in added:
        index = by_id.get(entry.model.id)
        if index is None:
            merged.append(entry)
            continue
        if merged[index] is not ours[index]:
            merged.append(entry)  # a second override: check_links reports the duplicate
            continue
        entry.origin = "override"
        merged[index] = entry
    return merged


def _parse(kind, model, path, shown, text, problems) -> Entry | None:
    try:
        if kind == "crosswalk":
            meta, lines = parse_yaml(text)
            if not isinstance(meta, dict):
                raise FrontMatterError(1, "a crosswalk file must be a mapping")
            doc = Document(meta, "", 1, lines)
        else:
            doc = split(text)
    except FrontMatterError as exc:
        problems.append(problem_at(shown, exc.line, exc.message))
        return None
    try:
        parsed = model.model_validate(doc.meta)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            where = ".".join(str(part) for part in loc) or "front matter"
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                allowed = ", ".join(sorted(model.model_fields))
                message = f"unknown field; allowed fields: {allowed}"
            elif error["type"] == "missing":
                message = "required field is missing"
            problems.append(problem_at(shown, doc.line_of(loc), f"{where}: {message}"))
        return None
    if path.stem != slugify(parsed.id):
        problems.append(
            problem_at(
                shown,
                doc.line_of(("id",)),
                f"file name must be '{slugify(parsed.id)}{path.suffix}' for id '{parsed.id}'",
            )
        )
    return Entry(kind, shown, parsed, doc)


def check_links(entries: list[Entry]) -> list[Problem]:
    """Check ids, links, body links and the catalogue's coverage rules."""
    problems: list[Problem] = []
    ids: dict[str, Entry] = {}
    for entry in entries:
        first = ids.setdefault(entry.model.id, entry)
        if first is not entry:
            problems.append(
                problem_at(
                    entry.path,
                    entry.line(("id",)),
                    f"duplicate id '{entry.model.id}' (also in {first.path})",
                )
            )
    referenced: set[str] = set()

    def expect(entry: Entry, target: str, kind: str, loc: tuple) -> None:
        found = ids.get(target)
        if found is None:
            problems.append(
                problem_at(entry.path, entry.line(loc), f"unknown {kind} id '{target}'")
            )
        elif found.kind != kind:
            problems.append(
                problem_at(
                    entry.path,
                    entry.line(loc),
                    f"'{target}' is a {found.kind}, expected a {kind}",
                )
            )
        else:
            referenced.add(target)

    for entry in entries:
        for relation, target, loc, _coverage in entry.model.targets():
            expect(entry, target, TARGET_KIND[relation], loc)
        if isinstance(entry.model, Crosswalk):
            for index, pair in enumerate(entry.model.pairs):
                expect(entry, pair.ours, "requirement", ("pairs", index, "ours"))
        for offset, row in enumerate(entry.doc.body.splitlines()):
            for match in WIKILINK.finditer(row):
                if match.group(1) not in ids:
                    problems.append(
                        problem_at(
                            entry.path,
                            entry.doc.body_line + offset,
                            f"[[{match.group(1)}]] links to an unknown id",
                        )
                    )
        problems += _rules(entry)
    for entry in entries:
        if (
            entry.kind in ("evidence", "policy")
            and entry.origin != "added"  # a deployment's own type may stand alone
            and entry.model.id not in referenced
        ):
            problems.append(
                problem_at(
                    entry.path,
                    entry.line(("id",)),
                    f"no requirement links {entry.kind} '{entry.model.id}'",
                )
            )
    return problems


def summary_of(body: str) -> str:
    """The first paragraph of a body as plain text (used in lists, search, the API)."""
    first = body.strip().split("\n\n", 1)[0]
    return re.sub(r"\s+", " ", WIKILINK.sub(r"\1", first).replace("**", "")).strip()


def _rules(entry: Entry) -> list[Problem]:
    """The per-file content rules beyond the schema."""
    problems = []
    model = entry.model

    def fault(message: str, loc: tuple = ("id",)) -> None:
        problems.append(problem_at(entry.path, entry.line(loc), message))

    if entry.kind != "crosswalk":
        words = len(summary_of(entry.doc.body).split())
        low, high = SUMMARY_WORDS
        if not low <= words <= high:
            problems.append(
                problem_at(
                    entry.path,
                    entry.doc.body_line,
                    f"the first paragraph (summary) has {words} words; "
                    f"write {low} to {high}",
                )
            )
    if entry.kind == "offering" and OWNER_SECTION not in entry.doc.body:
        fault(f"an offering's body needs a '{OWNER_SECTION}' section")
    if entry.kind == "threat" and COUNTERS_SECTION not in entry.doc.body:
        fault(f"a threat scenario's body needs a '{COUNTERS_SECTION}' section")
    if not isinstance(model, Requirement) or model.kind_of_item == "group":
        return problems
    if not model.evidence:
        fault(
            "a requirement needs at least one evidence artefact type (evidence: [EV-...])"
        )
    if not model.policies:
        fault("a requirement needs at least one policy (policies: [POL-...])")
    if model.kind_of_item == "enhancement" and not model.parent:
        fault("an enhancement needs its parent requirement (parent: ...)")
    body = entry.doc.body
    if model.part in TECHNICAL_PARTS:
        if not model.levels.sl:
            fault(
                "a technical requirement needs its security levels (levels: {sl: [...]})"
            )
        if "**Security levels.**" not in body:
            fault("the body needs a '**Security levels.**' section")
    else:
        if not model.levels.ml:
            fault(
                "a process requirement needs its maturity levels (levels: {ml: [1, 2, 3, 4]})"
            )
        if "**Scoring.**" not in body or any(
            f"- ML {n}:" not in body for n in range(1, 5)
        ):
            fault(
                "the body needs a '**Scoring.**' section with '- ML 1:' to '- ML 4:' lines"
            )
        problems += _absent_ml1(entry)
    return problems
