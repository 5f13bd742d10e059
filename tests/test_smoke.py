from bot.sandbox.client import SandboxClient


async def test_start(client: SandboxClient) -> None:
    user = await client.add_user("Amal", "ar")
    await user.send("/start")
    for m in await user.bot_messages():
        print(m)
