"""Porta's figures for Prometheus (`GET /metrics`, text format): updates handled and how long
they took by kind, errors, the outbox's outcomes and backlog, cases open. One registry per
application, so that several applications in one process (the tests) do not mix figures."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from telegram import Update

from bot.db.models import Case, OutboxMessage

UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OUTCOMES = ("sent", "429", "403", "failed", "withdrawn")

__all__ = ["CONTENT_TYPE", "Metrics", "kind_of", "outbox_backlog"]


def kind_of(update: object) -> str:
    """The update's kind, from a fixed list (a label must not grow with what people send)."""
    if isinstance(update, Update):
        for kind in UPDATE_KINDS:
            if getattr(update, kind, None) is not None:
                return kind
    return "other"


async def outbox_backlog(connection: AsyncConnection) -> int:
    """Outbox messages not sent yet (waiting, or on their way)."""
    count = await connection.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status.in_(("pending", "sending")))
    )
    return int(count or 0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "porta_updates_handled", "Updates handled, by kind", ["kind"], registry=self.registry
        )
        self.latency = Histogram(
            "porta_handler_seconds",
            "Time from taking an update to having handled it, by kind",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "porta_errors",
            "Errors in handlers and jobs (answered by the error handler)",
            registry=self.registry,
        )
        self.outbox = Counter(
            "porta_outbox_outcomes",
            "What became of the outbox's messages: sent, 429 (asked to wait), 403 (blocked), "
            "failed (refused), withdrawn (too late)",
            ["outcome"],
            registry=self.registry,
        )
        self.backlog = Gauge(
            "porta_outbox_backlog", "Outbox messages not sent yet", registry=self.registry
        )
        self.cases_open = Gauge(
            "porta_cases_open", "Cases not closed, by kind", ["kind"], registry=self.registry
        )
        for outcome in OUTCOMES:
            self.outbox.labels(outcome)

    def handled(self, update: object, seconds: float) -> None:
        kind = kind_of(update)
        self.updates.labels(kind).inc()
        self.latency.labels(kind).observe(seconds)

    async def exposition(self, engine: AsyncEngine) -> bytes:
        """The figures now: the backlog and the open cases are read from the database."""
        async with engine.connect() as connection:
            backlog = await outbox_backlog(connection)
            rows = await connection.execute(
                select(Case.kind, func.count()).where(Case.status != "closed").group_by(Case.kind)
            )
            open_cases = {str(kind): int(count) for kind, count in rows}
        self.backlog.set(backlog)
        for kind in ("housing", "person", *open_cases):
            self.cases_open.labels(kind).set(open_cases.get(kind, 0))
        return bytes(generate_latest(self.registry))
