"""Reading the email the platform owes people, straight from the outbox table."""

from __future__ import annotations

import re

from places.models import OutboxMessage

URL_RE = re.compile(r"https?://[^\s<>\"')]+")
# allauth's one-time codes stand alone on a line: "ABCD-EFGH" (dashed), or 6-9 plain characters.
CODE_RE = re.compile(r"^\s*([A-Z0-9]{3,6}(?:-[A-Z0-9]{3,6})+|[A-Z0-9]{6,9})\s*$", re.MULTILINE)


class Outbox:
    """The outbox as a test sees it. Rows come oldest first."""

    def messages(self, to: str | None = None, subject: str | None = None) -> list[OutboxMessage]:
        """Every message so far, optionally only those to ``to`` / with ``subject`` in it."""
        rows = OutboxMessage.objects.order_by("created_at", "id")
        if to is not None:
            rows = rows.filter(to__contains=[to])
        if subject is not None:
            rows = rows.filter(subject__icontains=subject)
        return list(rows)

    def last(self, to: str | None = None, subject: str | None = None) -> OutboxMessage:
        """The newest matching message; fails the test, saying what is there, if there is none."""
        found = self.messages(to=to, subject=subject)
        if not found:
            everything = [f"{m.to} {m.subject!r}" for m in self.messages()]
            raise AssertionError(
                f"no email to={to!r} subject~{subject!r} in the outbox; it holds: {everything}"
            )
        return found[-1]

    def count(self, to: str | None = None) -> int:
        return len(self.messages(to=to))

    @staticmethod
    def links(message: OutboxMessage, contains: str = "") -> list[str]:
        """The URLs in a plain-text body, optionally only those containing ``contains``."""
        return [url for url in URL_RE.findall(message.body) if contains in url]

    def link(self, to: str | None = None, contains: str = "", subject: str | None = None) -> str:
        """The one link containing ``contains`` in the newest matching message."""
        message = self.last(to=to, subject=subject)
        found = self.links(message, contains)
        assert found, f"no link containing {contains!r} in {message.subject!r}:\n{message.body}"
        return found[0]

    def code(self, to: str | None = None, subject: str | None = None) -> str:
        """The one-time code (sign-in, verification) in the newest matching message."""
        message = self.last(to=to, subject=subject)
        found = CODE_RE.search(message.body)
        assert found, f"no code on a line of its own in {message.subject!r}:\n{message.body}"
        return found.group(1)
