"""``POST /v1/ingest`` (admin): upload source files, ingest them in the background;
``GET /v1/jobs/{id}``: the job's status and summary."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import UploadFile

from connectors.http.auth import Admin
from connectors.http.routes import SettingsDep

router = APIRouter(prefix="/v1", tags=["ingest"])
ALLOWED_SUFFIXES = {".pdf", ".docx", ".txt", ".md", ".eml", ".csv", ".835", ".edi", ".x12", ".json"}
MAX_FILES = 50
CHUNK = 1 << 20
UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        },
    }
}


def _suffix(name: str | None) -> str:
    suffix = Path(name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise HTTPException(
            415,
            f"Unsupported file type '{suffix or '(none)'}'; allowed: "
            f"{', '.join(sorted(ALLOWED_SUFFIXES))}.",
        )
    return suffix


def _display_name(name: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9._ -]", "_", Path(name or "").name)[:200]


def _stored_name(name: str | None, suffix: str) -> str:
    """The upload's own name made safe: no folders, no leading dots, the checked suffix."""
    stem = Path(_display_name(name)).stem.lstrip(". ")[:100]
    return f"{stem or 'upload'}{suffix}"


async def _save(upload: UploadFile, folder: Path, budget: int) -> tuple[Path, int]:
    """Copy one upload into its own server-named folder under its (sanitised) name, so that
    citations and titles show the name the user knows; stop at ``budget`` bytes."""
    target = folder / uuid.uuid4().hex[:12] / _stored_name(upload.filename, _suffix(upload.filename))
    target.parent.mkdir()
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            written += len(chunk)
            if written > budget:
                raise HTTPException(413, "Upload too large.")
            out.write(chunk)
    return target, written


@router.post(
    "/ingest",
    status_code=202,
    summary="Upload and ingest files (admin)",
    openapi_extra=UPLOAD_SCHEMA,
    responses={413: {"description": "Too large"}, 415: {"description": "Unsupported type"}},
)
async def ingest(request: Request, principal: Admin, settings: SettingsDep) -> dict[str, Any]:
    """Store the uploaded files and start an ingestion job; the uploads are deleted when
    the job ends, whatever its outcome."""
    limit = int(settings.max_upload_mb * 1024 * 1024)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise HTTPException(413, f"Upload too large; the limit is {settings.max_upload_mb:g} MB.")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(415, "Send the files as multipart/form-data in the field 'files'.")
    jobs = request.app.state.jobs
    job_id = jobs.new_id()
    folder = settings.uploads_dir / job_id
    async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES) as form:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads:
            raise HTTPException(422, [{"field": "files", "message": "Attach at least one file."}])
        for u in uploads:
            _suffix(u.filename)
        folder.mkdir(parents=True, exist_ok=True)
        saved: list[Path] = []
        manifest: list[dict[str, Any]] = []
        try:
            for u in uploads:
                path, size = await _save(u, folder, limit - sum(m["bytes"] for m in manifest))
                saved.append(path)
                manifest.append(
                    {"name": path.name, "stored_as": str(path.relative_to(folder)), "bytes": size}
                )
        except HTTPException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if exc.status_code == 413:
                raise HTTPException(
                    413, f"Upload too large; the limit is {settings.max_upload_mb:g} MB."
                ) from None
            raise
        except BaseException:  # a dropped connection leaves nothing behind either
            shutil.rmtree(folder, ignore_errors=True)
            raise
    job = jobs.start(job_id, principal.user, saved, manifest)
    return {
        "job_id": job_id,
        "status": job["status"],
        "files": manifest,
        "url": f"/v1/jobs/{job_id}",
    }


@router.get(
    "/jobs/{job_id}",
    summary="Ingestion job status (admin)",
    responses={404: {"description": "No such job"}},
)
def job_status(job_id: str, request: Request, principal: Admin) -> dict[str, Any]:
    """Status (queued, running, succeeded, failed), the files and the ingestion summary."""
    return request.app.state.jobs.get(job_id)
