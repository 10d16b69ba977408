"""The page in a real browser (Debian's headless chromium): paste messages, see the
labels and the flagged spans highlighted in the original text, send a correction.

Needs chromium and chromium-driver (`.ci/run` installs them when missing) and the
serve extra; skipped, with the reason, where they are absent. With
``DUNNING_GUARD_SCREENSHOT=PATH`` the screenshot is also saved there (the README's
picture is made so).
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)),
        reason="needs Debian's chromium and chromium-driver",
    ),
]

SCAM = "您的借款已逾期，请立即添加客服薇 信 kf8899 处理"
TRADITIONAL = (
    "【國泰世華銀行】您本期信用卡帳單應繳金額NT$3,200，繳款截止日11/25，請準時繳款。"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from dunning_guard.serve import create_app

    feedback = tmp_path_factory.mktemp("page") / "feedback.csv"
    port = _free_port()
    config = uvicorn.Config(
        create_app(feedback=feedback), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    yield url, feedback
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=900,1100",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def test_the_page_labels_highlights_and_takes_a_correction(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, feedback = server
    browser.get(url + "/")
    browser.find_element(By.ID, "texts").send_keys(SCAM + "\n" + TRADITIONAL)
    browser.find_element(By.ID, "go").click()
    wait = WebDriverWait(browser, 20)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".dg-card")) == 2)
    cards = browser.find_elements(By.CSS_SELECTOR, ".dg-card")
    assert [c.get_attribute("data-label") for c in cards] == ["scam", "reminder"]
    # The flagged span is highlighted around the original, obfuscated characters.
    marks = cards[0].find_elements(By.CSS_SELECTOR, ".dg-text mark")
    assert [m.text for m in marks] == ["添加客服薇 信 kf8899"]
    assert "private_contact" in marks[0].get_attribute("data-flags")
    assert "繳款截止日" in cards[1].find_element(By.CSS_SELECTOR, ".dg-text").text
    # A correction goes to the feedback file.
    Select(cards[1].find_element(By.TAG_NAME, "select")).select_by_value("overdue")
    cards[1].find_element(By.CSS_SELECTOR, ".fb button").click()
    wait.until(
        ready.text_to_be_present_in_element((By.CSS_SELECTOR, ".fb .ok"), "saved")
    )
    with feedback.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["text"], r["label"], r["predicted"]) for r in rows] == [
        (TRADITIONAL, "overdue", "reminder")
    ]
    shot = tmp_path / "page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    target = os.environ.get("DUNNING_GUARD_SCREENSHOT")
    if target:
        shutil.copyfile(shot, Path(target))
