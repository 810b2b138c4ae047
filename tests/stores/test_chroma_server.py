"""PARLEY_CHROMA_URL: ingest and search against a real ``chroma run`` server on localhost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.retrieval import create_retriever
from assistant.settings import Settings
from assistant.stores.vectors import create_vector_store
from ingest.job import IngestJob
from tests.ingest.helpers import CONTRACT, CountingEmbedder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server (the package's own ``chroma run``) on a free local port."""
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from chromadb.cli.cli import app; app()",
         "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited: {(path / 'server.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("chroma run did not listen within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_ingest_and_search_through_the_server(tmp_path: Path, chroma_url: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "northwind.txt").write_text(CONTRACT)
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_url)
    embedder = CountingEmbedder()
    first = IngestJob(settings, embedder=embedder).run([src])  # type: ignore[arg-type]
    assert first.count("ingested") == 1 and embedder.embedded > 0
    assert not settings.chroma_path.exists()  # nothing went to the embedded store

    store = create_vector_store(settings)
    assert store.count() == first.to_dict()["chunks"]
    retriever = create_retriever(settings, embedder=embedder, store=store)  # type: ignore[arg-type]
    hit = retriever.search("What is the timely filing limit?", k=3)[0]
    assert "timely_filing" in hit.clause_types and hit.section == "2.1"
    only = retriever.search("state law", k=3, clause_types=["governing_law"])
    assert only and all("governing_law" in h.clause_types for h in only)

    again = CountingEmbedder()
    second = IngestJob(settings, embedder=again).run([src])  # type: ignore[arg-type]
    assert second.count("unchanged") == 1 and again.embedded == 0
    assert create_vector_store(settings).count() == store.count()


def test_unreachable_server_is_a_config_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ConfigError) as err:
        create_vector_store(settings)
    assert "PARLEY_CHROMA_URL" in err.value.user_message
