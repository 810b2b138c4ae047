"""Pure pieces: Block Kit builders, visibility rules, the key store, ``parley keys add``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.analytics.vocabulary import PayerInfo, Vocabulary
from assistant.answer import Answer, Citation
from assistant.errors import InputError
from connectors.http.auth import KeyStore, Principal, hash_key
from connectors.slack import blocks
from connectors.slack.dedupe import Dedupe
from connectors.slack.visibility import Visibility, named_payers


def _answer(**kw: object) -> Answer:
    base = dict(
        answer_id="a1",
        question="q",
        text="**90 days** [1]",
        model="m",
        latency_ms=1.0,
        citations=[Citation(n=1, document="Doc", page=2, section="3.1", quote="ninety days")],
    )
    return Answer(**{**base, **kw})  # type: ignore[arg-type]


def test_answer_blocks_have_text_sources_and_feedback() -> None:
    out = blocks.answer_blocks(_answer())
    assert out[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "*90 days* [1]"}}
    assert out[1]["elements"][1]["text"] == "[1] Doc, p. 2, § 3.1 — “ninety days”"
    actions = out[-1]
    assert [e["action_id"] for e in actions["elements"]] == [
        blocks.FEEDBACK_UP,
        blocks.FEEDBACK_DOWN,
    ]
    assert {e["value"] for e in actions["elements"]} == {"a1"}


def test_blocks_respect_slack_limits() -> None:
    many = [Citation(n=i, document="D" * 3000, quote="q") for i in range(1, 20)]
    out = blocks.answer_blocks(_answer(text="x" * 5000, citations=many))
    texts = [b["text"]["text"] for b in out if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in texts) and "".join(texts) == "x" * 5000
    ctx = [b for b in out if b["type"] == "context"]
    assert all(len(b["elements"]) <= 10 for b in ctx)
    assert all(len(e["text"]) <= 2000 for b in ctx for e in b["elements"])
    book = blocks.answer_blocks(_answer(text="word " * 60_000))
    assert len(book) <= 50 and "Shortened for Slack" in book[-2]["elements"][0]["text"]


def test_long_answers_and_many_sources_are_split_not_cut() -> None:
    text = "\n\n".join(f"Paragraph {i}: " + "word " * 150 for i in range(12))  # ~9k chars
    many = [Citation(n=i, document=f"Doc {i}", page=i, quote="q") for i in range(1, 26)]
    out = blocks.answer_blocks(_answer(text=text, citations=many))
    secs = [b["text"]["text"] for b in out if b["type"] == "section"]
    assert len(secs) >= 4 and all(len(t) <= 3000 for t in secs)
    assert all(t.startswith("Paragraph") for t in secs)  # cut at paragraph breaks
    assert " ".join(" ".join(secs).split()) == " ".join(text.split())  # nothing lost
    cites = [e["text"] for b in out if b["type"] == "context" for e in b["elements"]]
    assert cites[0] == "*Sources*"
    assert [c.split("]")[0] + "]" for c in cites[1:26]] == [f"[{i}]" for i in range(1, 26)]
    rows = [{"payer_name": f"P{i}", "kind": "notice", "notice_deadline": "2027-01-01"} for i in range(45)]
    dl = blocks.deadlines_blocks(rows, "2026-11-27")
    assert "…and 5 more" in dl[-1]["text"]["text"]


def test_mrkdwn_conversion_and_error_blocks() -> None:
    assert (
        blocks.to_mrkdwn("## Rates\n**bold** [x](https://a.b)") == "*Rates*\n*bold* <https://a.b|x>"
    )
    err = blocks.error_blocks("Sorry.", "abcd1234")
    assert "abcd1234" in err[1]["elements"][0]["text"]


def test_visibility_rules(tmp_path: Path) -> None:
    assert Visibility.load(None).channel("C1").payers is None
    f = tmp_path / "v.json"
    f.write_text(json.dumps({"channels": {"C1": ["A"]}, "users": {"U1": ["A", "B"]}}))
    vis = Visibility.load(f)
    assert vis.channel("C1").allowed == ["A"]
    assert vis.channel("C2").empty
    assert vis.channel("D9", "im", "U1").allowed == ["A", "B"]
    assert vis.user("U2").empty
    vocab = Vocabulary(
        payers=[
            PayerInfo("KHP", "Keystone Health Plan", aliases=("Keystone",)),
            PayerInfo("NWM", "Northwind Medicare Advantage", aliases=("Northwind",)),
        ]
    )
    assert named_payers("How does Northwind pay vs keystone?", vocab) == ["NWM", "KHP"]


def test_bad_visibility_file_is_a_config_error(tmp_path: Path) -> None:
    from assistant.errors import ConfigError

    f = tmp_path / "v.json"
    f.write_text("[1, 2")
    with pytest.raises(ConfigError):
        Visibility.load(f)


def test_key_store_keeps_only_hashes(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key = store.add("ann", "negotiator", ["KEYSTONE"])
    raw = (tmp_path / "keys.json").read_text()
    assert key not in raw and hash_key(key) in raw
    assert store.authenticate(key) == Principal("ann", "negotiator", ("KEYSTONE",))
    assert store.authenticate(key + "x") is None
    with pytest.raises(InputError):
        store.add("bob", "owner")


def test_dedupe_survives_restart(tmp_path: Path) -> None:
    d = Dedupe(tmp_path / "d.sqlite")
    assert d.first_time("event:E1") and not d.first_time("event:E1")
    d.close()
    assert not Dedupe(tmp_path / "d.sqlite").first_time("event:E1")


def test_cli_keys_add_prints_key_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import main

    assert (
        main(
            [
                "--data-dir",
                str(tmp_path),
                "keys",
                "add",
                "zoe",
                "--role",
                "admin",
                "--payer",
                "KEYSTONE",
            ]
        )
        == 0
    )
    key = capsys.readouterr().out.strip()
    stored = json.loads((tmp_path / "api_keys.json").read_text())["keys"][0]
    assert stored == {
        "user": "zoe",
        "role": "admin",
        "payers": ["KEYSTONE"],
        "sha256": hash_key(key),
    }
    assert main(["--data-dir", str(tmp_path), "keys", "add", "zoe", "--role", "boss"]) == 1
