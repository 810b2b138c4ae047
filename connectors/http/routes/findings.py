"""``/v1/findings`` and ``/v1/disputes``: the monitor's discrepancy log and dispute drafts.

Writes to the warehouse (a status change, a monitor run) open DuckDB's single *write*
connection, which cannot coexist with a read-only one in the same process. Requests open
their read-only connections for milliseconds only, so writes in this process go through
``serialised_write``: one lock per warehouse file, and one retry when DuckDB still says
the warehouse is busy. The Slack buttons and the scheduled monitor use it too.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from anyio import to_thread
from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import ConfigError, NotFoundError
from assistant.monitor.findings import Finding, Kind, Status
from assistant.scope import Scope
from assistant.settings import Settings
from connectors.http.auth import Negotiator, Principal, Reader
from connectors.http.routes import SettingsDep

router = APIRouter(prefix="/v1", tags=["findings"])
T = TypeVar("T")
DisputeFormat = Literal["md", "docx", "pdf"]
MEDIA = {
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
DISPUTE_ID = re.compile(r"^[0-9a-f]{12}$")
BUSY_RETRY_S = 0.25

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def write_lock(settings: Settings) -> threading.Lock:
    """The process-wide lock for this warehouse file (DuckDB locks per file and process)."""
    key = str(settings.warehouse_file.resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def serialised_write(settings: Settings, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a warehouse write under the lock; retry once if the warehouse is busy (a
    read-only connection of a concurrent request was still open)."""
    with write_lock(settings):
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            if "busy" not in exc.user_message:
                raise
            time.sleep(BUSY_RETRY_S)
            return fn(*args, **kwargs)


def resolve_payer(settings: Settings, payer: str, scope: Scope) -> tuple[str, str]:
    """(payer_id, name) for an id, name or alias; 403 outside the caller's scope. For a
    scoped caller an unknown name is the same 403 (no oracle of which payers exist)."""
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=True)
    try:
        vocab = Vocabulary.load(conn)
    finally:
        conn.close()
    payer_id = scope.resolve_payer(vocab, payer)  # unknown reads like out of scope
    return payer_id, vocab.payer_name(payer_id)


# --- findings ----------------------------------------------------------------------------


class FindingList(BaseModel):
    """Findings the caller may see, largest amount first."""

    count: int
    findings: list[Finding]


class StatusChange(BaseModel):
    """A new status for a finding, and why."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    note: str | None = Field(None, max_length=2000, examples=["Called the payer rep"])


def _list(
    settings: Settings,
    status: list[Status] | None,
    payer: str | None,
    kind: Kind | None,
    scope: Scope,
) -> list[Finding]:
    from assistant.monitor.log import list_findings

    payer_id = resolve_payer(settings, payer, scope)[0] if payer else None
    found = list_findings(settings, status=status or None, payer_id=payer_id, kind=kind)
    return scope.keep(found, lambda f: f.payer_id)


@router.get("/findings", response_model=FindingList, summary="The discrepancy log")
async def list_findings_route(
    principal: Reader,
    settings: SettingsDep,
    status: Annotated[list[Status] | None, Query(description="Repeat to allow several.")] = None,
    payer: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Payer id, name or alias.")
    ] = None,
    kind: Annotated[Kind | None, Query()] = None,
) -> FindingList:
    """Findings of the payer monitor, limited to the payers the caller's key may see."""
    found = await to_thread.run_sync(
        _list, settings, list(status or []), payer, kind, principal.scope
    )
    return FindingList(count=len(found), findings=found)


def _change(settings: Settings, finding_id: str, body: StatusChange, who: Principal) -> Finding:
    from assistant.monitor.log import get_finding, set_status

    if not who.scope.allows(get_finding(settings, finding_id).payer_id):
        # as not found: finding ids are guessable hashes, so a 403 would confirm a guess
        raise NotFoundError(f"No finding with id '{finding_id}'.")
    return serialised_write(
        settings, set_status, settings, finding_id, body.status, who.user, body.note
    )


@router.patch(
    "/findings/{finding_id}",
    response_model=Finding,
    summary="Change a finding's status",
    responses={404: {"description": "No such finding"}, 403: {"description": "Out of scope"}},
)
async def change_status(
    finding_id: Annotated[str, PathParam(max_length=100)],
    body: StatusChange,
    principal: Negotiator,
    settings: SettingsDep,
) -> Finding:
    """Set the status (new, acknowledged, disputed, recovered, written_off); the change is
    recorded with the caller's user name, the time and the note (negotiator role)."""
    return await to_thread.run_sync(_change, settings, finding_id, body, principal)


# --- disputes ----------------------------------------------------------------------------


class DisputeRequest(BaseModel):
    """Which payer to dispute with, optionally which findings, and which files to write."""

    model_config = ConfigDict(extra="forbid")

    payer: str = Field(min_length=1, max_length=200, examples=["Keystone Health Plan"])
    finding_ids: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None,
        max_length=500,
        description="Default: the payer's open underpayments and late payments.",
    )
    formats: list[DisputeFormat] = Field(default=["md"], max_length=3)


class DisputeCreated(BaseModel):
    """The drafted letter: its id, the figures, the Markdown and where to download files."""

    dispute_id: str
    payer_id: str
    payer_name: str
    finding_ids: list[str]
    total_short: float
    interest_owed: float
    total_requested: float
    appeal_deadline: str | None
    markdown: str
    files: dict[str, str] = Field(description="format → download URL")


def _check_visible(settings: Settings, finding_ids: list[str], scope: Scope) -> None:
    """A finding of a payer outside ``scope`` reads exactly like an id no finding has."""
    if not finding_ids or not scope.scoped:
        return
    from assistant.monitor.log import list_findings

    payers = {f.finding_id: f.payer_id for f in list_findings(settings, finding_ids=finding_ids)}
    for fid in sorted(finding_ids):
        if fid not in payers or not scope.allows(payers[fid]):
            raise NotFoundError(f"No finding with id '{fid}'.")


def disputes_dir(settings: Settings) -> Path:
    """Where drafts live: ``<data_dir>/disputes/<id>/``."""
    return settings.data_dir / "disputes"


def _draft(settings: Settings, body: DisputeRequest, who: Principal) -> DisputeCreated:
    from assistant.monitor.dispute import draft_dispute

    payer_id, _ = resolve_payer(settings, body.payer, who.scope)
    _check_visible(settings, body.finding_ids or [], who.scope)
    dispute_id = uuid.uuid4().hex[:12]
    folder = disputes_dir(settings) / dispute_id
    draft = draft_dispute(
        settings,
        payer_id,
        finding_ids=body.finding_ids,
        formats=tuple(body.formats),
        out_dir=folder,
    )
    meta = {
        "dispute_id": dispute_id,
        "payer_id": draft.payer_id,
        "created_by": who.user,
        "files": {fmt: Path(p).name for fmt, p in draft.files.items()},
    }
    (folder / "dispute.json").write_text(json.dumps(meta), encoding="utf-8")
    return DisputeCreated(
        dispute_id=dispute_id,
        payer_id=draft.payer_id,
        payer_name=draft.payer_name,
        finding_ids=draft.finding_ids,
        total_short=draft.total_short,
        interest_owed=draft.interest_owed,
        total_requested=draft.total_requested,
        appeal_deadline=draft.appeal_deadline.isoformat() if draft.appeal_deadline else None,
        markdown=draft.markdown,
        files={fmt: f"/v1/disputes/{dispute_id}/export.{fmt}" for fmt in draft.files},
    )


@router.post(
    "/disputes",
    status_code=201,
    response_model=DisputeCreated,
    summary="Draft a dispute letter",
    responses={403: {"description": "Out of scope"}, 404: {"description": "Nothing to dispute"}},
)
async def create_dispute(
    body: DisputeRequest, principal: Negotiator, settings: SettingsDep
) -> DisputeCreated:
    """Draft the letter for a payer's open underpayment and late-payment findings (or the
    given ones): claim lines, totals, contract language, interest and appeal deadline."""
    return await to_thread.run_sync(_draft, settings, body, principal)


def _export(settings: Settings, dispute_id: str, fmt: str, scope: Scope) -> Path:
    from assistant.monitor.export import write_docx, write_pdf

    missing = NotFoundError(f"No dispute with id '{dispute_id}'.")
    if not DISPUTE_ID.match(dispute_id):
        raise missing
    folder = disputes_dir(settings) / dispute_id
    try:
        meta = json.loads((folder / "dispute.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise missing from None
    if not scope.allows(meta.get("payer_id")):
        raise missing  # as not found: the id says nothing about payers out of scope
    files: dict[str, str] = meta.get("files", {})
    if fmt in files:
        return folder / files[fmt]
    # Not requested at drafting time: render it now from the stored Markdown.
    md_path = folder / files["md"]
    out = md_path.with_suffix(f".{fmt}")
    writer = write_docx if fmt == "docx" else write_pdf
    writer(md_path.read_text(encoding="utf-8"), out)
    return out


@router.get(
    "/disputes/{dispute_id}/export.{fmt}",
    summary="Download a dispute letter as Markdown, DOCX or PDF",
    response_class=FileResponse,
    responses={404: {"description": "No such dispute"}},
)
async def export_dispute(
    dispute_id: str, fmt: DisputeFormat, principal: Negotiator, settings: SettingsDep
) -> FileResponse:
    """The drafted letter in one format (DOCX/PDF are written on first request if needed)."""
    path = await to_thread.run_sync(_export, settings, dispute_id, fmt, principal.scope)
    return FileResponse(path, media_type=MEDIA[fmt], filename=f"dispute-{dispute_id}.{fmt}")
