"""Test helpers for ingestion: a counting wrapper around the real embedder, PDF builders."""

from __future__ import annotations

import functools
import zlib
from pathlib import Path

from assistant.embeddings import Embedder, backend_of, create_embedder
from assistant.settings import Settings


@functools.lru_cache(maxsize=1)
def real_embedder() -> Embedder:
    """The real MiniLM embedder, loaded once per test session."""
    embedder = create_embedder(Settings())
    embedder.embed_query("warm up")
    return embedder


class CountingEmbedder:
    """The real embedder, counting how many texts it embeds (not a mock)."""

    def __init__(self, inner: Embedder | None = None) -> None:
        self.inner = inner or real_embedder()
        self.embedded = 0
        self.queries = 0

    @property
    def backend(self) -> str:
        """The wrapped embedder's backend (the store records it)."""
        return backend_of(self.inner)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return self.inner.embed_query(text)


def make_pdf(path: Path, pages: list[str | None]) -> Path:
    """A reportlab PDF; a ``None`` page has only a drawn shape (like a scan)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for text in pages:
        if text is None:
            c.setFillGray(0.5)
            c.rect(72, 72, 300, 400, fill=1)
        else:
            y = 720
            for line in text.splitlines():
                c.drawString(72, y, line)
                y -= 14
                if y < 72:
                    break
        c.showPage()
    c.save()
    return path


def make_encrypted_pdf(path: Path, text: str, password: str) -> Path:
    """A password-protected PDF (AES-256 via pypdf's writer)."""
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".plain.tmp"), [text])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    with path.open("wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def make_bomb_pdf(path: Path, inflated_mb: int = 300) -> Path:
    """A one-page PDF whose content stream inflates to ``inflated_mb`` MB of zeros."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    comp = zlib.compressobj(9)
    block = b"0 " * (512 * 1024)
    data = b"".join(comp.compress(block) for _ in range(inflated_mb)) + comp.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = StreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


CONTRACT = """PARTICIPATING PROVIDER AGREEMENT
Agreement No. NW-2024-001

This Participating Provider Agreement is effective as of January 1, 2024, by and between
Northwind Health Plan, Inc. ("Payer") and Springfield Family Medicine ("Provider").

ARTICLE 1 TERM AND TERMINATION

1.1 Term. This Agreement has an initial term of three (3) years and shall automatically
renew for successive one (1) year renewal terms unless either party gives written notice
of non-renewal at least ninety (90) days before the end of the then-current term.

1.2 Termination Without Cause. Either party may terminate this Agreement without cause
upon one hundred twenty (120) days prior written notice to the other party.

ARTICLE 2 CLAIMS

2.1 Timely Filing. Provider shall submit claims within ninety (90) days after the date of
service. Claims received after that date may be denied.

2.2 Clean Claims. Payer shall pay each clean claim within thirty (30) days of receipt.
Interest accrues on late payments at 12% per annum.

2.3 Appeals. Provider may appeal a claim denial within sixty (60) days of the denial.

ARTICLE 3 COMPENSATION

3.1 Fee Schedule. Payer shall reimburse covered services at 110% of the 2024 Medicare
Physician Fee Schedule for the locality.

3.2 Changes. Payer may amend the fee schedule upon forty-five (45) days written notice.

3.3 Governing Law. This Agreement shall be governed by the laws of the State of Illinois.
"""
