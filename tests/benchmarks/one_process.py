"""One Porta process behind the benchmark's proxy: `serve.run` with a webhook, as
`porta run --webhook` starts it (which insists on https; the proxy here is plain http on
the loopback). Settings come from the environment; PORTA_BENCH_WEBHOOK and
PORTA_BENCH_PORT say where."""

from __future__ import annotations

import asyncio
import logging
import os

from bot import serve
from bot.config import load_settings
from bot.webhook import Webhook, secret_for


def main() -> None:
    settings = load_settings()
    logging.basicConfig(level=logging.WARNING)
    secret = secret_for(settings.telegram_bot_token, settings.webhook_secret)
    hook = Webhook(os.environ["PORTA_BENCH_WEBHOOK"], "127.0.0.1", int(os.environ["PORTA_BENCH_PORT"]), secret)  # fmt: skip
    asyncio.run(serve.run(settings, webhook=hook))


if __name__ == "__main__":
    main()
