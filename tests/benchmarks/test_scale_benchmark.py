"""`make bench`: Porta's figures at scale, printed and written to data/bench-scale.json.

- flows: updates a second for three flows through the real Application (Bot API in memory),
  as a ratio to a bare python-telegram-bot echo bot measured in the same run; p50/p99 at 200
  updates a second; where the time of a card goes (a profile);
- catalogue: the list flow with the demo's activities and with 10,000 (and 100,000 people,
  10,000 sign-ups), in the same run;
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.db.session import SessionFactory
from bot.demo import load_demo
from tests.benchmarks import throughput

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "data" / "bench-scale.json"


def record(name: str, figures: dict[str, Any]) -> None:
    OUT.parent.mkdir(exist_ok=True)
    existing = json.loads(OUT.read_text()) if OUT.exists() else {}
    existing[name] = figures
    OUT.write_text(json.dumps(existing, indent=2, ensure_ascii=False))
    shown = {k: v for k, v in figures.items() if k != "card_profile"}
    print(f"\n{name}: {json.dumps(shown, indent=1, ensure_ascii=False)}")
    if "card_profile" in figures:
        print(figures["card_profile"])


async def test_flows_beside_a_bare_echo_bot(settings: Settings, db: SessionFactory) -> None:
    async with db.begin() as session:
        await load_demo(session, settings.zone)
    figures = await throughput.ratios(settings, db)
    figures["database"] = settings.database_url.split(":")[0]
    record("flows", figures)
