"""Posters: each language's line as written (Arabic and Urdu shaped, Bengali joined), a QR code
that decodes to the exact deep link and opens the activity in Porta, `porta poster`, and the
poster and /report in Telegram."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bot.config import Settings
from bot.db.session import SessionFactory
from bot.printed import fonts, poster
from bot.printed.commands import register
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from tests.commands import porta as run_porta
from tests.factories import activity, hub
from tests.flows import ROME, onboard, staff, translator

MISSING = fonts.missing() or ([] if shutil.which("pdftoppm") else ["pdftoppm"])
pytestmark = pytest.mark.skipif(
    bool(MISSING) and os.environ.get("PORTA_PRINT_TESTS") != "required",
    reason=f"printing needs fonts-noto-core and poppler-utils ({MISSING})",
)
LANGUAGES = ["it", "ar", "bn", "uk"]


def read_back(pdf: bytes, folder: Path) -> tuple[str, list[str], tuple[float, float]]:
    """The PDF's text, what the QR codes on its rendered page say, and its size in mm."""
    path = folder / "poster.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    done = subprocess.run(["pdftoppm", "-r", "90", "-png", "-singlefile", str(path), str(folder / "page")],
                          capture_output=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    codes = [found.text for found in zxingcpp.read_barcodes(Image.open(folder / "page.png"))]
    size = (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4))
    # A glyph that HarfBuzz made part of a cluster (a Bengali vowel sign drawn before its
    # consonant) carries no text of its own, and pypdf prints its raw code: drop those.
    text = "".join(c for c in reader.pages[0].extract_text() if c >= " " or c == "\n")
    return text, codes, size


@pytest.mark.parametrize("first", LANGUAGES)
async def test_an_activity_poster_says_each_line_and_its_qr_code_is_the_deep_link(
    db: SessionFactory, tmp_path: Path, first: str
) -> None:
    place = await hub(db)
    titles = {"it": "Laboratorio di fumetto", "ar": "ورشة القصص المصورة",
              "bn": "কমিকস কর্মশালা", "uk": "Майстерня коміксів"}  # fmt: skip
    comics = await activity(db, place.id, titles=titles)
    asked = [first, *(code for code in LANGUAGES if code != first)]
    async with db() as session:
        made = await poster.for_activity(session, comics.id, "@PortaLuccaBot", asked, ROME, "it")
    assert made is not None
    text, codes, size = read_back(poster.render(made), tmp_path)
    assert codes == [f"https://t.me/PortaLuccaBot?start=a{comics.id}"] and size == (210, 297)
    assert titles[first] in text and "Via San Vito 1, Lucca" in text
    assert f"https://t.me/PortaLuccaBot?start=a{comics.id}" in text
    for code in LANGUAGES:
        line = translator(code)(poster.SCAN_ACTIVITY)
        assert code == "en" or line != poster.SCAN_ACTIVITY  # translated, not English
        assert line in text


async def test_hub_and_bot_posters_in_the_nine_languages_and_other_sizes(
    db: SessionFactory, tmp_path: Path
) -> None:
    place = await hub(db)
    async with db() as session:
        made = await poster.for_hub(session, place.id, "PortaLuccaBot", [], ROME)
    assert made is not None and [code for code, _ in made.lines] == list(poster.SUPPORTED_LOCALES)
    text, codes, size = read_back(poster.render(made, "A5"), tmp_path)
    assert codes == [f"https://t.me/PortaLuccaBot?start=h{place.id}"] and size == (148, 210)
    for code, line in made.lines:
        assert line == translator(code)(poster.SCAN_HUB) and line in text
    bot = poster.for_bot("PortaLuccaBot", ["ur", "ro"], ROME)
    text, codes, size = read_back(poster.render(bot, "A3"), tmp_path)
    assert codes == ["https://t.me/PortaLuccaBot"] and size == (297, 420)
    assert translator("ur")(poster.SCAN_BOT) in text and translator("ro")(poster.SCAN_BOT) in text


async def test_a_long_title_is_cut_to_three_lines_and_the_poster_stays_one_page(
    db: SessionFactory, tmp_path: Path
) -> None:
    place = await hub(db)
    long = await activity(db, place.id, titles={"it": "Parole " * 17})
    async with db() as session:
        made = await poster.for_activity(session, long.id, "PortaLuccaBot", [], ROME, "it")
    assert made is not None and [code for code, _ in made.lines] == ["it", "en"]
    text, codes, _ = read_back(poster.render(made), tmp_path)
    assert codes == [f"https://t.me/PortaLuccaBot?start=a{long.id}"] and "…" in text


def porta(settings: Settings, *args: str) -> tuple[int, str]:
    return run_porta(settings, register, *args)


async def test_porta_poster_writes_the_pdf_and_refuses_what_it_cannot_print(
    settings: Settings, db: SessionFactory, tmp_path: Path
) -> None:
    place = await hub(db)
    football = await activity(db, place.id)
    out = tmp_path / "football.pdf"
    code, output = await asyncio.to_thread(porta, settings, "poster", "--activity", str(football.id),
                                           "--languages", "it,ar", "--username", "PortaLuccaBot",
                                           "--out", str(out))  # fmt: skip
    link = f"https://t.me/PortaLuccaBot?start=a{football.id}"
    assert (code, output) == (0, f"poster written to {out} ({link})\n")
    text, codes, _ = read_back(out.read_bytes(), tmp_path)
    assert codes == [link] and "Calcetto" in text and translator("ar")(poster.SCAN_ACTIVITY) in text

    wrong = {
        ("--hub", "999"): "porta: no hub with that number\n",
        ("--activity", "999"): "porta: no activity with that number\n",
        ("--bot", "--languages", "it,de"): "porta: unknown language(s): de\n",
        ("--bot", "--hub", str(place.id)): "porta: name one of --activity ID, --hub ID or --bot\n",
        (): "porta: name one of --activity ID, --hub ID or --bot\n",
    }
    for args, error in wrong.items():
        args = ("poster", *args, "--username", "P", "--out", str(out))
        code, output = await asyncio.to_thread(porta, settings, *args)
        assert (code, output) == (2, error)


async def test_staff_get_the_poster_in_telegram_and_its_qr_code_opens_the_activity(
    client: SandboxClient, db: SessionFactory, emulator: Emulator, tmp_path: Path
) -> None:
    place = await hub(db)
    football = await activity(db, place.id, starts=datetime.now(UTC) + timedelta(days=3))
    worker = await staff(client, db)
    await worker.send("/manage")
    await worker.tap((await worker.last())["buttons"][0][0]["text"])
    await worker.tap("🖨 Poster")
    sent = await worker.last()
    assert sent["text"].startswith("🖨 The poster of this activity.")
    assert sent["document"]["file_name"] == f"poster-activity-{football.id}.pdf"
    text, codes, _ = read_back(await client.file(sent["document"]["file_id"]), tmp_path)
    assert codes == [f"https://t.me/porta_sandbox_bot?start=a{football.id}"]
    assert "Calcetto" in text and "Scan to sign up" in text

    # A young person scans it: the deep link's start opens the activity's card.
    start = codes[0].split("?start=")[1]
    amira = await onboard(client, "ar", start=f"/start {start}")
    card = await amira.last()
    assert "Calcetto" in card["text"] and translator("ar").pgettext("button", "✅ Sign up") in [
        button["text"] for row in card["buttons"] for button in row
    ]
    assert emulator.unanswered_queries() == []


async def test_admins_get_the_report_in_telegram_and_others_are_refused(
    client: SandboxClient, db: SessionFactory, tmp_path: Path
) -> None:
    admin = await staff(client, db, "admin", "it")
    await admin.send("/report 2026-11-01 2026-11-30")
    sent = await admin.last()
    assert sent["text"].startswith("📊 ") and "2026" in sent["text"]
    assert sent["document"]["file_name"] == "porta-report-2026-11-01-2026-11-30.pdf"
    pdf = await client.file(sent["document"]["file_id"])
    reader = PdfReader(io.BytesIO(pdf))
    assert translator("it")("Reach") in reader.pages[0].extract_text()

    await admin.send("/report")  # last full month
    assert (await admin.last())["document"]["file_name"].startswith("porta-report-")
    for wrong in ("/report novembre", "/report 2026-11-30 2026-11-01", "/report 2026-11-01"):
        await admin.send(wrong)
        assert (await admin.last())["text"] == translator("it")(
            "Write /report for last month, or two days like this: /report 2026-11-01 2026-11-30"
        )
    operator = await staff(client, db, "operator", "en")
    await operator.send("/report")
    assert (await operator.last())["text"] == "Sorry, this command is only for hub staff."
