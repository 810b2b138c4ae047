"""``GET /v1/deadlines``: renewal, notice and termination dates coming due."""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query

from connectors import deadlines_api
from connectors.http.auth import Reader
from connectors.http.routes import AsOfDate, AssistantDep, SettingsDep

router = APIRouter(prefix="/v1", tags=["deadlines"])


@router.get(
    "/deadlines",
    summary="Contract deadlines coming due",
    responses={503: {"description": "The warehouse is busy (a load is running); retry shortly"}},
)
async def deadlines(
    principal: Reader,
    assistant: AssistantDep,
    settings: SettingsDep,
    as_of: Annotated[AsOfDate | None, Query(description="Pretend today is this date.")] = None,
    within_days: Annotated[
        int | None, Query(ge=1, le=3650, description="Look-ahead window.")
    ] = None,
) -> dict[str, Any]:
    """Deadlines from the extracted contract terms, limited to the caller's payers."""
    rows = await to_thread.run_sync(
        deadlines_api.upcoming, settings, assistant, as_of, within_days, principal.scope
    )
    return {"as_of": str(as_of or settings.today()), "deadlines": rows}
