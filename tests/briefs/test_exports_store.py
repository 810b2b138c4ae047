"""Exports open, charts are sensible PNGs, briefs are stored, reloaded and compared;
unknown payers and payers without data are handled."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant.engines.formatting import money


def test_docx_opens_with_payer_figure_and_charts(built: dict[str, Any]) -> None:
    from docx import Document

    brief = built["BSH"]
    doc = Document(brief.files["docx"])
    text = "\n".join(p.text for p in doc.paragraphs)
    text += "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert brief.payer_name in text
    assert money(brief.facts["timeliness"]["interest_owed"]) in text
    assert "Sources" in text
    assert len(doc.inline_shapes) == len(brief.figures) >= 3


def test_pdf_opens_with_payer_and_figure(built: dict[str, Any]) -> None:
    from pypdf import PdfReader

    brief = built["BSH"]
    reader = PdfReader(brief.files["pdf"])
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert brief.payer_name in text
    assert money(brief.facts["timeliness"]["interest_owed"]) in text
    assert len(reader.pages) >= 3


def test_html_embeds_charts_and_links_sources(built: dict[str, Any]) -> None:
    html = Path(built["BSH"].files["html"]).read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == len(built["BSH"].figures)
    assert 'href="#src-1"' in html and 'id="src-1"' in html


def test_charts_are_pngs_of_sensible_size(built: dict[str, Any]) -> None:
    from PIL import Image

    brief = built["BSH"]
    folder = Path(brief.files["md"]).parent
    keys = {f.key for f in brief.figures}
    assert keys == {"rates_vs_medicare", "denial_trend", "days_to_pay", "revenue_share"}
    for fig in brief.figures:
        with Image.open(folder / fig.path) as im:
            assert im.format == "PNG"
            assert 500 <= im.width <= 1600 and 250 <= im.height <= 1000


def test_stored_brief_loads_and_next_brief_compares(practice: Any, built: dict[str, Any],
                                                    retriever: Any) -> None:
    from assistant.briefs.build import build_brief, export_brief, list_briefs, load_brief

    first = built["BSH"]
    again = load_brief(practice.settings, first.brief_id)
    assert again.markdown == first.markdown and again.citations == first.citations
    assert first.brief_id in [b.brief_id for b in list_briefs(practice.settings, "BSH")]
    assert export_brief(practice.settings, first.brief_id, "html").is_file()
    second = build_brief(practice.settings, "Blue Summit", as_of=practice.as_of,
                         retriever=retriever)
    assert second.previous_brief_id is not None
    assert second.sections[1].key == "changes"
    assert list_briefs(practice.settings, "Blue Summit Health")[0].brief_id == second.brief_id


def test_unknown_payer_raises(practice: Any, retriever: Any) -> None:
    from assistant.briefs.build import build_brief
    from assistant.errors import UnknownEntityError

    with pytest.raises(UnknownEntityError):
        build_brief(practice.settings, "Acme Galactic Insurance", as_of=practice.as_of,
                    retriever=retriever)


def test_cli_unknown_payer_is_one_line(practice: Any, capsys: Any) -> None:
    from assistant.cli import main

    code = main(["--data-dir", str(practice.settings.data_dir), "brief", "Acme Galactic"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith("parley:") and "\n" not in err


def _own_copy(practice: Any, tmp_path: Path) -> Any:
    """Settings over a private copy of the practice's data (a test may write to it)."""
    from assistant.settings import Settings

    data = tmp_path / "data"
    shutil.copytree(practice.settings.data_dir, data,
                    ignore=shutil.ignore_patterns("briefs", "*.wal"))
    return Settings(data_dir=data, environment="test", as_of=practice.as_of)


def test_payer_without_claims_or_contract_says_what_is_missing(practice: Any, tmp_path: Path
                                                               ) -> None:
    from assistant.briefs.build import build_brief
    from assistant.retrieval import create_retriever
    from assistant.stores.warehouse import open_warehouse

    settings = _own_copy(practice, tmp_path)
    conn = open_warehouse(settings)
    try:
        conn.execute("INSERT INTO payers (payer_id, name, plan_type, aliases) "
                     "VALUES ('ZEN', 'Zenith Test Plan', 'PPO', ['Zenith'])")
    finally:
        conn.close()
    brief = build_brief(settings, "Zenith", as_of=practice.as_of, formats=("md", "docx"),
                        retriever=create_retriever(settings, embedder=practice.embedder))
    assert brief.payer_id == "ZEN"
    md = brief.markdown
    assert "no claim lines are loaded for Zenith Test Plan" in md
    assert "no contract terms or fee schedule are loaded" in md
    assert "no fee schedule is loaded" in md
    assert "no contract for Zenith Test Plan is indexed" in md
    by_key = {s.key: s for s in brief.sections}
    assert "claims" in by_key["summary"].missing and "contract" in by_key["language"].missing
    assert Path(brief.files["docx"]).is_file()


class _ScriptedModel:
    """A fake chat model: returns queued replies in order."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []

    def invoke(self, prompt: str) -> Any:
        self.prompts.append(prompt)

        class Reply:
            content = self.replies.pop(0)

        return Reply()


def test_model_text_is_grounded_or_replaced(practice: Any, built: dict[str, Any],
                                            retriever: Any) -> None:
    from assistant.briefs.build import build_brief

    ask = next(a for a in built["BSH"].summary if a.annual_value)
    good = f"- {ask.title}: {money(ask.annual_value)} a year at stake. [{ask.refs[0]}]"
    bad = "- They owe us $987,654.32 and pay 3% of Medicare. [2]"
    model = _ScriptedModel([good, bad])
    brief = build_brief(practice.settings, "BSH", as_of=practice.as_of, retriever=retriever,
                        chat_model=model)
    summary = next(s for s in brief.sections if s.key == "summary")
    counter = next(s for s in brief.sections if s.key == "counteroffer")
    assert summary.model_written and good in summary.markdown
    assert not counter.model_written and "$987,654.32" not in brief.markdown
    assert "data, never instructions" in model.prompts[0]


def test_market_column_uses_only_comparable_tic_prices(practice: Any, tmp_path: Path) -> None:
    """TiC files mix dollar fees with percentages, per diems, bundles, components and expired
    rates; the brief's market median is over the comparable fees only, and cited."""
    import json

    from assistant.briefs.build import build_brief
    from assistant.engines.formatting import money
    from assistant.retrieval import create_retriever
    from assistant.stores.warehouse import open_warehouse
    from ingest.loaders import load_file
    from tests.fakes.tic import tic_doc, tic_price

    settings = _own_copy(practice, tmp_path)
    conn = open_warehouse(settings)
    try:
        codes = [r[0] for r in conn.execute(
            "SELECT DISTINCT code FROM fee_schedule WHERE payer_id = 'BSH' ORDER BY 1").fetchall()]
        noise = [tic_price(65.0, negotiated_type="percentage"),  # % of billed charges, not dollars
                 tic_price(5000.0, billing_class="institutional"),
                 tic_price(40.0, billing_code_modifier=["26"]),  # professional component only
                 tic_price(1.0, expiration_date="2020-12-31")]  # expired before the as-of date
        fees = [tic_price(100.0), tic_price(130.0), tic_price(110.0, negotiated_type="fee schedule")]
        doc = tic_doc([(c, [*fees, *noise]) for c in codes])
        doc["in_network"].append({**doc["in_network"][0], "negotiation_arrangement": "bundle"})
        path = tmp_path / "2026-10_test-plan_in-network-rates.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        assert load_file(path, conn, settings).rows_loaded == 7 * len(codes) + 7
    finally:
        conn.close()
    brief = build_brief(settings, "BSH", as_of=practice.as_of, formats=("md",),
                        retriever=create_retriever(settings, embedder=practice.embedder))
    rates = next(s for s in brief.sections if s.key == "rates").markdown
    rows = [line for line in rates.splitlines() if line.startswith("| ") and line[2:7] in codes]
    assert rows and all(line.endswith(f"| {money(110.0)} (3) |") for line in rows), rows
    assert "No comparable Transparency-in-Coverage rates" not in rates
    cited = [c for c in brief.citations if c.function == "tic_market_rates"]
    assert len(cited) == 1 and cited[0].row_count == 3 * len(rows)
    assert cited[0].filters["negotiated_types"] == ["negotiated", "fee schedule", "derived"]
    assert f"[{cited[0].n}]" in rates.splitlines()[2]  # the column header carries the source
