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
