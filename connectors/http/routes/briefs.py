"""``/v1/briefs``: build a negotiation brief, read it back, export it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from connectors import briefs_api
from connectors.http.auth import Negotiator
from connectors.http.routes import AsOfDate, AssistantDep, SettingsDep
from connectors.http.routes.ask import check_payer_scope

router = APIRouter(prefix="/v1/briefs", tags=["briefs"])
Format = Literal["md", "html", "docx", "pdf"]
MEDIA = {
    "md": "text/markdown",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
BUSY: dict[int | str, dict[str, Any]] = {
    503: {"description": "The warehouse is busy (a load is running); retry shortly"}
}


class BriefRequest(BaseModel):
    """Which payer to brief on, as of when, and which files to write besides Markdown."""

    model_config = ConfigDict(extra="forbid")

    payer: str = Field(min_length=1, max_length=200, examples=["Blue Summit"])
    as_of: AsOfDate | None = None
    formats: list[Format] = Field(default=["md"], max_length=4)


class BriefCreated(BaseModel):
    """The new brief's id and where to read it."""

    brief_id: str
    payer_id: str
    url: str


@router.post(
    "",
    status_code=201,
    response_model=BriefCreated,
    summary="Build a brief",
    responses=BUSY,
)
async def create_brief(
    body: BriefRequest, principal: Negotiator, assistant: AssistantDep, settings: SettingsDep
) -> BriefCreated:
    """Build and store a negotiation brief for one payer (negotiator role)."""
    scope = principal.scope
    await to_thread.run_sync(check_payer_scope, assistant, body.payer, scope)
    brief = await to_thread.run_sync(
        lambda: briefs_api.build(
            settings, assistant, body.payer, scope, body.as_of, tuple(body.formats)
        )
    )
    return BriefCreated(
        brief_id=brief.brief_id, payer_id=brief.payer_id, url=f"/v1/briefs/{brief.brief_id}"
    )


@router.get(
    "/{brief_id}",
    summary="Read a brief (JSON or Markdown)",
    responses={
        200: {"content": {"text/markdown": {}}},
        404: {"description": "No such brief"},
        **BUSY,
    },
)
def get_brief(
    brief_id: str,
    principal: Negotiator,
    settings: SettingsDep,
    format: Annotated[Literal["json", "md"], Query()] = "json",
) -> Any:
    """The stored brief: ``format=json`` (default, the whole object) or ``format=md``."""
    brief = briefs_api.load(settings, brief_id, principal.scope)
    if format == "md":
        return PlainTextResponse(brief.markdown, media_type="text/markdown")
    from connectors.redact import replace_paths

    # file names, never where they lie on the server (citations, facts' sources, files)
    return replace_paths(brief.model_dump(mode="json"), {})


@router.get(
    "/{brief_id}/export.{fmt}",
    summary="Export a brief as Markdown, HTML, DOCX or PDF",
    response_class=FileResponse,
    responses={**BUSY, 404: {"description": "No such brief"}},
)
def export_brief(
    brief_id: str, fmt: Format, principal: Negotiator, settings: SettingsDep
) -> FileResponse:
    """Download the brief in one of the export formats (written on first request)."""
    path = briefs_api.export(settings, brief_id, fmt, principal.scope)
    return FileResponse(path, media_type=MEDIA[fmt], filename=f"brief-{brief_id}.{fmt}")
