"""Background ingestion jobs: one thread per job, status kept in memory and on disk."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import NotFoundError, ParleyError
from assistant.settings import Settings

log = logging.getLogger("parley.http.jobs")
IngestRunner = Callable[[Settings, list[Path]], dict[str, Any]]


def default_ingest_runner(settings: Settings, paths: list[Path]) -> dict[str, Any]:
    """Run the real ingestion job over ``paths`` and return its summary as a dict."""
    from ingest.job import run_ingest

    return run_ingest(settings, paths).to_dict()


def public_summary(summary: dict[str, Any], paths: list[Path]) -> dict[str, Any]:
    """The job summary with file names instead of server paths (stored uploads included)."""
    from connectors.redact import replace_paths

    names = {}
    for p in paths:
        names[str(p)] = p.name
        names[str(Path(p).resolve())] = p.name
    return replace_paths(summary, names)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class JobRegistry:
    """Starts ingestion jobs in threads; one job at a time touches the stores."""

    def __init__(
        self,
        settings: Settings,
        runner: IngestRunner | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.runner = runner or default_ingest_runner
        self.on_done = on_done or (lambda: None)
        self.folder = settings.data_dir / "jobs"
        self._jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._serial = threading.Lock()
        self._threads: list[threading.Thread] = []

    def new_id(self) -> str:
        """A fresh job id (also the name of the job's upload folder)."""
        return uuid.uuid4().hex[:16]

    def start(self, job_id: str, user: str, paths: list[Path], files: list[dict[str, Any]]) -> dict:
        """Record the job as queued and run it in a background thread."""
        job = {
            "job_id": job_id,
            "status": "queued",
            "user": user,
            "files": files,
            "created_at": _now(),
            "finished_at": None,
            "summary": None,
            "error": None,
        }
        self._save(job)
        thread = threading.Thread(
            target=self._run, args=(job_id, paths), daemon=True, name=f"ingest-{job_id}"
        )
        self._threads.append(thread)
        thread.start()
        return dict(job)

    def _run(self, job_id: str, paths: list[Path]) -> None:
        with self._serial:
            self._update(job_id, status="running")
            final: dict[str, Any]
            try:
                try:
                    summary = public_summary(self.runner(self.settings, paths), paths)
                    final = {"status": "succeeded", "summary": summary}
                except ParleyError as exc:
                    final = {"status": "failed", "error": exc.user_message}
                except Exception:
                    ref = uuid.uuid4().hex[:8]
                    log.error("ingest job %s failed ref=%s", job_id, ref, exc_info=True)
                    final = {"status": "failed",
                             "error": f"Ingestion failed unexpectedly (reference {ref})."}
                finally:
                    # the uploads are gone before anyone can see the job as finished
                    self._delete_uploads(job_id, paths)
                self._update(job_id, finished_at=_now(), **final)
            finally:
                try:
                    self.on_done()
                except Exception:
                    log.warning("post-ingest hook failed", exc_info=True)

    def _delete_uploads(self, job_id: str, paths: list[Path]) -> None:
        """Uploaded files (835s name patients) never outlive their job."""
        root = self.settings.uploads_dir.resolve()
        for path in [root / job_id, *paths]:
            target = Path(path).resolve()
            if target == root or not target.is_relative_to(root):
                continue  # only what lies under the uploads folder
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)

    def get(self, job_id: str) -> dict[str, Any]:
        """A job's status, from memory or (after a restart) from disk."""
        with self._lock:
            if job_id in self._jobs:
                return dict(self._jobs[job_id])
        path = self.folder / f"{job_id}.json"
        if not job_id.isalnum() or not path.exists():
            raise NotFoundError(f"No ingestion job '{job_id}'.")
        return json.loads(path.read_text(encoding="utf-8"))

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs[job_id]
            job.update(changes)
        self._save(job)

    def _save(self, job: dict[str, Any]) -> None:
        with self._lock:
            self._jobs[job["job_id"]] = job
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{job['job_id']}.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(job, default=str), encoding="utf-8")
            tmp.replace(path)

    def join(self, timeout: float = 5.0) -> None:
        """Wait for running jobs (used at shutdown and in tests)."""
        for t in list(self._threads):
            t.join(timeout)
