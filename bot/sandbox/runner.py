"""Porta and the emulator together in one process, as `porta sandbox` and the tests run them."""

from __future__ import annotations

from types import TracebackType

from bot.app import PortaApplication, build_application
from bot.config import Settings
from bot.db import migrate
from bot.db.session import create_engine
from bot.health import polling_failed
from bot.sandbox.client import SandboxClient
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer


class Sandbox:
    """Start the emulator on 127.0.0.1, point Porta at it and poll, until closed."""

    def __init__(
        self,
        settings: Settings,
        port: int = 0,
        limits: Limits | None = None,
        poll_timeout: int = 10,
    ) -> None:
        self.emulator = Emulator(limits=limits)
        self.server = EmulatorServer(self.emulator, port=port)
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.app: PortaApplication | None = None
        self.client: SandboxClient | None = None

    async def start(self, *, upgrade: bool = True) -> SandboxClient:
        await self.server.start()
        if upgrade:
            engine = create_engine(self.settings.database_url)
            await migrate.upgrade(engine)
            await engine.dispose()
        return await self.start_bot()

    async def restart_bot(self) -> SandboxClient:
        """Stop Porta and start it again on the same emulator and database, as after a
        restart of the process: whatever lived only in memory is gone."""
        await self.stop_bot()
        return await self.start_bot()

    async def start_bot(self) -> SandboxClient:
        settings = self.settings.model_copy(
            update={"telegram_api_base_url": self.server.bot_api_base}
        )
        limits = self.emulator.limits  # paced by the time the scripted people take
        self.app = build_application(
            settings, token=self.emulator.token, clock=lambda: limits.clock() + limits.skew
        )
        await self.app.initialize()
        # run_polling() would call post_init and post_shutdown; driving the app by hand,
        # the sandbox calls them itself.
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            poll_interval=0, timeout=self.poll_timeout, error_callback=polling_failed
        )
        self.client = SandboxClient(self.server.url, settle=self.app.wait_processed)
        return self.client

    async def stop(self) -> None:
        await self.stop_bot()
        await self.server.stop()

    async def stop_bot(self) -> None:
        if self.client is not None:
            await self.client.close()
        if self.app is not None:
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
            if self.app.post_shutdown is not None:
                await self.app.post_shutdown(self.app)
        self.app = self.client = None

    async def __aenter__(self) -> SandboxClient:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
