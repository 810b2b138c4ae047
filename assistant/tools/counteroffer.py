"""Tool: the annual revenue effect of a rate proposal against current volume."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.errors import InputError
from assistant.tools.base import ToolDeps, TurnContext, figure, names_of, run_on_warehouse, tool_result

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


class ProposalTerm(BaseModel):
    """One term of a proposal."""

    kind: Literal["pct_increase", "pct_of_medicare", "fixed_rate"]
    value: float = Field(description="+6 for +6%, 105 for 105% of Medicare, or dollars per unit.")
    codes: list[str] | None = None
    code_group: str | None = Field(default=None, description="E/M, imaging, surgery, therapy, lab, all.")


class CounterofferArgs(BaseModel):
    """Arguments of counteroffer."""

    payer: str | None = Field(default=None, description="The payer the proposal is for.")
    terms: list[ProposalTerm] | None = Field(default=None, description="Proposal terms.")
    increase_pct: float | None = Field(default=None, description="Shortcut: one +N% term.")
    pct_of_medicare: float | None = Field(default=None, description="Shortcut: one N% of Medicare term.")
    codes: list[str] | None = Field(default=None, description="Codes for the shortcut term.")
    code_group: str | None = Field(default=None, description="Code group for the shortcut term.")


def _items(args: CounterofferArgs) -> list[dict[str, Any]]:
    terms = list(args.terms or [])
    if args.increase_pct is not None:
        terms.append(
            ProposalTerm(
                kind="pct_increase", value=args.increase_pct, codes=args.codes, code_group=args.code_group
            )
        )
    if args.pct_of_medicare is not None:
        terms.append(
            ProposalTerm(
                kind="pct_of_medicare",
                value=args.pct_of_medicare,
                codes=args.codes,
                code_group=args.code_group,
            )
        )
    if not terms:
        raise InputError(
            "Say what the proposal is, e.g. '+6% on E/M codes' or '105% of Medicare on imaging'."
        )
    items = []
    for t in terms:
        group = t.code_group or ("all" if not t.codes else None)
        items.append({"kind": t.kind, "value": t.value, "codes": t.codes or [], "category": group})
    return items


def make_counteroffer(deps: ToolDeps) -> BaseTool:
    """Build the counteroffer tool."""

    @tool("counteroffer", args_schema=CounterofferArgs, response_format="content_and_artifact")
    def counteroffer(runtime: ToolRuntime[TurnContext], **kwargs: Any) -> tuple[str, dict[str, Any]]:
        """Model a proposal ("+6% on E/M codes", "105% of Medicare on imaging") against the
        payer's current rates and the last 12 months of volume: annual revenue now, under
        the proposal, and the difference, per code."""
        from assistant.analytics.counteroffer import (
            CounterofferParams,
            Proposal,
            ProposalItem,
            model_counteroffer,
        )

        ctx = runtime.context
        args = CounterofferArgs(**kwargs)
        filters: dict[str, Any] = args.model_dump(exclude_none=True)

        def run(conn: DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
            if not args.payer:
                raise InputError("Name the payer the proposal is for.")
            # resolved in the caller's scope first: nothing is computed for a payer it may not see
            payer_id = ctx.scope.resolve_payer(deps.vocabulary(), args.payer)
            proposal = Proposal(items=[ProposalItem(**i) for i in _items(args)])
            res = model_counteroffer(
                conn, CounterofferParams(payer=payer_id, proposal=proposal, as_of=ctx.as_of)
            )
            name = names_of(conn).get(res.payer_id, res.payer_id)
            data = dict(
                res.model_dump(),
                payer_name=name,
                proposal=[i.model_dump() for i in proposal.items],
            )
            data["codes"] = sorted(data["codes"], key=lambda c: -abs(c["annual_effect"]))
            figs = [
                figure("annual revenue now", res.annual_current, "usd"),
                figure("annual revenue under proposal", res.annual_proposed, "usd"),
                figure("annual effect", res.annual_effect, "usd"),
                figure("change", res.pct_change, "percent"),
            ]
            filters.update(res.filters)
            return tool_result("counteroffer", filters=filters, data=data, figures=figs, rows=res.row_count)

        return run_on_warehouse(deps, "counteroffer", filters, run, ctx.scope)

    return counteroffer
