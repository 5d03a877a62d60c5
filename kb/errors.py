"""Domain errors raised by services and mapped to HTTP responses in kb.web.errors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One fault in input: `where` is `path:line`, `Sheet!Cell` or a form field."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class KBError(Exception):
    """Base of every error the domain raises on purpose."""

    status = 400


class Unauthorised(KBError):
    """No valid credentials: an unknown, expired or revoked token."""

    status = 401


class TooManyRequests(KBError):
    """Over a rate limit; `retry_after` is the seconds until the window ends."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFound(KBError):
    status = 404


class Forbidden(KBError):
    status = 403


class Conflict(KBError):
    status = 409


class InvalidInput(KBError):
    """Input that breaks a rule; `problems` lists each fault with where it is."""

    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class StaleEdit(Conflict):
    """An edit based on an older version; `current` is what is stored now."""

    def __init__(self, current: object) -> None:
        super().__init__("Someone else changed this row after you opened it.")
        self.current = current
