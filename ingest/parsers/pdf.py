"""PDF via pypdf, page by page, inside a sandboxed worker process.

pypdf has no overall time or memory limit, so a hostile or broken PDF (decompression
bomb, thousands of pages, pathological content streams) is parsed in a child process
with an address-space cap (``RLIMIT_AS``) and a wall-clock timeout; the parent turns
every way the child can fail into a one-line reason.
"""

from __future__ import annotations

import multiprocessing
import resource
import warnings
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IngestError
from ingest.parsers import ParsedDoc
from ingest.parsers.text import normalise_text

if TYPE_CHECKING:
    from assistant.settings import Settings

#: Extra address space the PDF worker may use above its start-up size.
PDF_MEMORY_MB = 1024

_CONTEXT: Any = None


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
        return pages * resource.getpagesize()
    except OSError:
        return 0


def extract_pages(path: str, passwords: list[str], max_pages: int) -> dict[str, Any]:
    """Extract text per page; return {'pages': [...]} or {'error': reason} (no raising)."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            opened = False
            for pw in ["", *passwords]:
                try:
                    if reader.decrypt(pw):
                        opened = True
                        break
                except (PyPdfError, NotImplementedError):
                    continue
            if not opened:
                if passwords:
                    return {"error": "encrypted PDF: none of the configured passwords opens it"}
                return {"error": "encrypted PDF: no password configured (PARLEY_PDF_PASSWORDS)"}
        count = len(reader.pages)
        if count > max_pages:
            return {"error": f"too many pages ({count} > PARLEY_MAX_PDF_PAGES={max_pages})"}
        pages = []
        for i in range(count):
            page = reader.pages[i]
            text = page.extract_text() or ""
            if not text.strip():
                # extract_text swallows decoding limits; decode explicitly to tell a
                # decompression bomb from a scanned page.
                contents = page.get_contents()
                if contents is not None:
                    contents.get_data()
            pages.append(text)
        return {"pages": pages}
    except FileNotDecryptedError:
        return {"error": "encrypted PDF: cannot be decrypted"}
    except LimitReachedError:
        return {"error": "PDF stream exceeds the decompression limit (possible decompression bomb)"}
    except MemoryError:
        return {"error": f"PDF needs more than {PDF_MEMORY_MB} MB to parse (memory cap)"}
    except RecursionError:
        return {"error": "PDF structure too deeply nested"}
    except Exception:  # pypdf raises many exception types on corrupt input
        return {"error": "not a valid PDF (truncated or corrupt)"}


def _child(conn: Connection, path: str, passwords: list[str], max_pages: int) -> None:
    limit = _address_space_bytes() + PDF_MEMORY_MB * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    try:
        result = extract_pages(path, passwords, max_pages)
    except MemoryError:
        result = {"error": f"PDF needs more than {PDF_MEMORY_MB} MB to parse (memory cap)"}
    conn.send(result)
    conn.close()


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        method = (
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        _CONTEXT = multiprocessing.get_context(method)
        if method == "forkserver":
            _CONTEXT.set_forkserver_preload(["ingest.parsers.pdf", "pypdf"])
    return _CONTEXT


def run_pdf_worker(path: Path, passwords: list[str], max_pages: int, timeout_s: float) -> dict:
    """Run ``extract_pages`` in a child process with a memory cap and a timeout."""
    ctx = _context()
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child_conn, str(path), passwords, max_pages))
    proc.daemon = True
    proc.start()
    child_conn.close()
    try:
        if parent_conn.poll(timeout_s):
            try:
                return parent_conn.recv()
            except (EOFError, OSError):
                return {"error": "PDF parser crashed (memory cap reached or malformed file)"}
        return {"error": f"PDF parsing timed out after {timeout_s:g} s"}
    finally:
        parent_conn.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)


def pages_to_doc(pages: list[str]) -> ParsedDoc:
    """Join page texts into one document text, recording page starts."""
    texts = [normalise_text(p).strip("\n") for p in pages]
    empty = [i + 1 for i, t in enumerate(texts) if not t.strip()]
    if len(empty) == len(texts):
        raise IngestError("no extractable text (scanned?)")
    offsets: list[int] = []
    parts: list[str] = []
    pos = 0
    for t in texts:
        offsets.append(pos)
        chunk = t + "\n\n"
        parts.append(chunk)
        pos += len(chunk)
    notes = []
    if empty:
        shown = ", ".join(str(p) for p in empty[:5]) + ("…" if len(empty) > 5 else "")
        notes.append(f"{len(empty)} page(s) without extractable text skipped (scanned?): {shown}")
    return ParsedDoc(text="".join(parts), format="pdf", page_offsets=offsets, warnings=notes)


def parse_pdf_sandboxed(path: Path, settings: Settings) -> ParsedDoc:
    """Parse a PDF in a worker; raise ``IngestError`` with a one-line reason on failure."""
    result = run_pdf_worker(
        path, list(settings.pdf_passwords), settings.max_pdf_pages, settings.parse_timeout_s
    )
    if "error" in result:
        raise IngestError(result["error"])
    return pages_to_doc(result["pages"])
