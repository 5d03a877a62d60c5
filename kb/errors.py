"""Domain errors raised by services and mapped to HTTP responses in kb.web.errors."""

from __future__ import annotations


class KBError(Exception):
    """Base of every error the domain raises on purpose."""

    status = 400


class NotFound(KBError):
    status = 404


class Forbidden(KBError):
    status = 403


class Conflict(KBError):
    status = 409


class InvalidInput(KBError):
    """Input that breaks a rule; `problems` lists each fault with where it is."""

    status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class StaleEdit(Conflict):
    """An edit based on an older version; `current` is what is stored now."""

    def __init__(self, current: object) -> None:
        super().__init__("Someone else changed this row after you opened it.")
        self.current = current
