"""Finding source files, and flagging text that looks like prompt injection."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.parsers import DOCUMENT_EXTENSIONS, STRUCTURED_EXTENSIONS

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:previous|prior|above|all|any|your|the)\b"
    r"[^.\n]{0,30}\b(?:instructions?|rules|prompts?|guidelines|directions)\b"
    r"|\b(?:system\s+prompt|developer\s+message|jailbreak)\b"
    r"|\byou\s+are\s+now\b|\bnew\s+instructions?\s*:"
    r"|\b(?:assistant|AI|model|chatbot|LLM)s?\b[^.\n]{0,40}\b(?:must|should|shall)\s+(?:now\s+)?"
    r"(?:ignore|say|answer|respond|reply|tell|report|state|recommend|not\s+cite)"
    r"|\bwhen\s+(?:asked|summari[sz]ing|answering)\b[^.\n]{0,80}\b(?:say|answer|respond|reply|tell)\b",
    re.I,
)


def looks_like_injection(text: str) -> bool:
    """True when text addresses an AI assistant with instructions (kept, but flagged)."""
    return bool(_INJECTION.search(text))


# X12 segments that name or identify a patient, subscriber or claim: NM1 with entity
# QC/IL (patient, insured), CLP (claim payment) and the envelope. Any of them in a
# document's text means remittance data pasted or saved under another name. The sender
# chooses the element separator (ISA's 4th character: any non-alphanumeric, "!" is seen in
# the wild), text copied out of a viewer has spaces around it or is lower-cased; so any one
# separator, used consistently within the segment, with up to 3 spaces either side. Not
# "." or "-": an 835's amounts hold them, so no sender uses them (and prose does: "St. 835.").
_SEP = r"[^A-Za-z0-9\s.\-]"


def _sep(name: str) -> str:
    return rf"\s{{0,3}}(?P<{name}>{_SEP})\s{{0,3}}"


def _again(name: str) -> str:
    return rf"\s{{0,3}}(?P={name})\s{{0,3}}"


_X12_PHI = re.compile(
    rf"(?<![A-Za-z0-9])(?:NM1{_sep('a')}(?:QC|IL){_again('a')}"
    rf"|CLP{_sep('b')}(?:(?!(?P=b))\S)+{_again('b')}\d"
    rf"|ISA{_sep('c')}\d\d{_again('c')}|ST{_sep('d')}835{_again('d')})",
    re.I,
)
X12_REFUSAL = (
    "holds X12 remittance segments (patient names or ids); not stored as a document. "
    "Load it as an 835 (parley load) instead"
)
_SNIFF_BYTES = 65536


def has_x12_segments(text: str) -> bool:
    """True when text contains X12 patient/claim segments (NM1*QC, NM1*IL, CLP, ISA, ST*835),
    with any element separator."""
    return bool(_X12_PHI.search(text))


def is_x12_file(path: Path) -> bool:
    """True when the file's content is an X12 interchange, whatever its extension."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    from ingest.loaders.x12_835 import sniff_x12

    return sniff_x12(head)


@dataclass
class SourceFile:
    """A file found under one of the source paths."""

    path: Path  # resolved
    kind: str  # document | structured | skipped
    reason: str = ""

    @property
    def doc_id(self) -> str:
        """Stable document id derived from the resolved path."""
        return "doc-" + hashlib.sha256(str(self.path).encode()).hexdigest()[:16]


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def classify(path: Path, root: Path) -> SourceFile:
    """Decide what to do with one file found under ``root``."""
    if path.is_symlink():
        target = path.resolve()
        if not _within(target, root):
            return SourceFile(
                path.absolute(), "skipped", "symlink points outside the source folder"
            )
        path = target
    else:
        path = path.resolve()
    if not path.is_file():
        return SourceFile(path, "skipped", "not a regular file")
    ext = path.suffix.lower()
    if ext in DOCUMENT_EXTENSIONS and ext not in (".pdf", ".docx") and is_x12_file(path):
        return SourceFile(path, "structured")  # an 835 named .txt: the loader, never a parser
    if ext in DOCUMENT_EXTENSIONS:
        return SourceFile(path, "document")
    if ext in STRUCTURED_EXTENSIONS:
        return SourceFile(path, "structured")
    return SourceFile(path, "skipped", f"unsupported file type ({ext or 'no extension'})")


def discover(paths: list[Path]) -> tuple[list[SourceFile], list[Path]]:
    """All files under the given paths (hidden ones left out) and the folder roots."""
    found: dict[Path, SourceFile] = {}
    roots: list[Path] = []
    for given in paths:
        root = given.resolve()
        if given.is_dir():
            roots.append(root)
            for dirpath, dirnames, filenames in os.walk(given):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith("."):
                        continue
                    sf = classify(Path(dirpath) / name, root)
                    found.setdefault(sf.path, sf)
        else:
            sf = classify(given, root.parent if not given.is_symlink() else given.absolute().parent)
            found.setdefault(sf.path, sf)
    return list(found.values()), roots
