"""``/v1/briefs``: build a negotiation brief, read it back, export it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import NotFoundError
from connectors import briefs_api
from connectors.http.auth import Negotiator, Principal
from connectors.http.routes import AssistantDep, SettingsDep
from connectors.http.routes.ask import check_payer_scope

router = APIRouter(prefix="/v1/briefs", tags=["briefs"])
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "html": "text/html"}
UNAVAILABLE = {503: {"description": "The brief builder is not available"}}


class BriefRequest(BaseModel):
    """Which payer to brief on, as of when, with builder options."""

    model_config = ConfigDict(extra="forbid")

    payer: str = Field(min_length=1, max_length=200, examples=["Blue Summit"])
    as_of: dt.date | None = None
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)


class BriefCreated(BaseModel):
    """The new brief's id and where to read it."""

    brief_id: str
    url: str


def _visible(record: briefs_api.StoredBrief, principal: Principal) -> None:
    allowed = principal.allowed_payers
    if allowed is not None and record.payer_id not in allowed and principal.role != "admin":
        # Not 403: do not confirm that a brief outside the caller's scope exists.
        raise NotFoundError(f"No brief '{record.brief_id}'.")


@router.post("", status_code=201, response_model=BriefCreated, summary="Build a brief",
             responses=UNAVAILABLE)
async def create_brief(body: BriefRequest, principal: Negotiator, assistant: AssistantDep,
                       settings: SettingsDep) -> BriefCreated:
    """Build a negotiation brief for one payer (negotiator role)."""
    await to_thread.run_sync(check_payer_scope, assistant, body.payer, principal.allowed_payers)
    record, _ = await to_thread.run_sync(
        lambda: briefs_api.build(settings, assistant, body.payer, principal.user,
                                 principal.allowed_payers, body.as_of, body.options))
    return BriefCreated(brief_id=record.brief_id, url=f"/v1/briefs/{record.brief_id}")


@router.get("/{brief_id}", summary="Read a brief (JSON or Markdown)",
            responses={200: {"content": {"text/markdown": {}}}, 404: {"description": "No such brief"}})
def get_brief(brief_id: str, principal: Negotiator, settings: SettingsDep,
              format: Literal["json", "md"] = Query("json")) -> Any:
    """The stored brief: ``format=json`` (default) or ``format=md``."""
    record = briefs_api.load(settings, brief_id)
    _visible(record, principal)
    if format == "md":
        return PlainTextResponse(record.markdown, media_type="text/markdown")
    return {"brief_id": record.brief_id, "payer": record.payer, "payer_id": record.payer_id,
            "created_at": record.created_at, "markdown": record.markdown, "data": record.data}


@router.get("/{brief_id}/export.{fmt}", summary="Export a brief as DOCX, PDF or HTML",
            response_class=FileResponse,
            responses={**UNAVAILABLE, 404: {"description": "No such brief or format"}})
def export_brief(brief_id: str, fmt: Literal["docx", "pdf", "html"], principal: Negotiator,
                 settings: SettingsDep) -> FileResponse:
    """Download the brief in one of the export formats."""
    record = briefs_api.load(settings, brief_id)
    _visible(record, principal)
    path = briefs_api.export(settings, record, fmt)
    return FileResponse(path, media_type=MEDIA[fmt], filename=f"brief-{brief_id}.{fmt}")
