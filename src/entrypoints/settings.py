"""Settings from the environment (`COMMERCE_*`) or a `.env` file. Defaults need no server."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMMERCE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///commerce.db",
        description="SQLAlchemy URL: sqlite:///path.db, postgresql+psycopg://..., or memory://",
    )
    database_pool_size: int = Field(10, ge=1, description="Connections per process (PostgreSQL)")
    bus: Literal["inprocess", "redis"] = Field(
        "inprocess", description="Where events go after commit: in-process or Redis Streams"
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis for the event bus")
    gateway: Literal["fake"] = Field("fake", description="Payment gateway adapter")
    fake_gateway_default: Literal["approve", "decline", "timeout", "error"] = Field(
        "approve", description="What the fake gateway answers when nothing is scripted"
    )
    currency: str = Field("VND", description="The shop's currency (ISO 4217)")
    host: str = Field("127.0.0.1", description="Address `commerce serve` binds")
    port: int = Field(8000, ge=0, le=65535, description="Port `commerce serve` binds")
    workers: int = Field(1, ge=1, description="HTTP server processes")
    operator_token: str | None = Field(
        None, description="Bearer token for /admin routes; `serve` makes one up if unset"
    )
    seed_sample_catalog: bool = Field(
        True, description="Seed the sample catalog and stock when the database is empty"
    )
    checkout_lease_seconds: int = Field(
        30, ge=1, description="A checkout idle this long is taken over by the worker"
    )
    worker_interval_seconds: float = Field(
        1.0, gt=0, description="How often the worker polls the outbox and its jobs"
    )
    log_level: str = Field("INFO", description="Python logging level")
