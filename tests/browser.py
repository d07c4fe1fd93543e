"""Headless Chromium for the playground's browser tests and screenshots (selenium).

``browser_missing()`` says in one line why no browser can run here (or None);
``open_browser()`` starts Debian's chromium through its chromedriver, headless, with a
fresh profile, logging the page's console.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def browser_missing() -> str | None:
    """Why the browser tests cannot run, in one line; None when they can."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -e '.[test]')"
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return (f"no headless browser: {', '.join(missing)} missing "
                "(apt-get install chromium chromium-driver)")
    return None


def open_browser(width: int = 1400, height: int = 1000):
    """A selenium Chrome driver on /usr/bin/chromium; quit it, then remove ``driver.profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="playground-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.profile = profile
    return driver


def close_browser(driver) -> None:
    """Quit the browser and remove its profile."""
    driver.quit()
    shutil.rmtree(driver.profile, ignore_errors=True)
