"""E-mail (.eml): headers as metadata, text/plain body or stripped HTML."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from html.parser import HTMLParser

from assistant.errors import IngestError
from ingest.parsers import ParsedDoc
from ingest.parsers.text import normalise_text

_HEADERS = ("subject", "from", "to", "cc", "date")


class _TextOnly(HTMLParser):
    """Collects visible text from HTML, one block per paragraph-ish element."""

    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Strip tags from HTML, keeping block breaks."""
    parser = _TextOnly()
    parser.feed(html)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line)


def parse_eml(data: bytes) -> ParsedDoc:
    """Parse an RFC 822 message into header metadata and a body text."""
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception:  # the email package raises assorted errors on junk
        raise IngestError("not a readable e-mail message") from None
    assert isinstance(msg, EmailMessage)
    meta = {h: str(msg[h]) for h in _HEADERS if msg[h] is not None}
    body = ""
    part = msg.get_body(preferencelist=("plain",))
    if part is not None:
        body = part.get_content()
    else:
        part = msg.get_body(preferencelist=("html",))
        if part is not None:
            body = html_to_text(part.get_content())
    if not body.strip():
        raise IngestError("e-mail has no text body")
    header_lines = [f"{h.title()}: {meta[h]}" for h in _HEADERS if h in meta]
    text = normalise_text("\n".join(header_lines) + "\n\n" + body.strip() + "\n")
    return ParsedDoc(text=text, format="email", metadata=meta)
