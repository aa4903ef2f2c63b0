"""Debian's headless Chromium through Debian's chromedriver, set up the same way for tests and benchmarks:
no browser download, no background traffic, every page request recorded in the performance log."""

from __future__ import annotations

import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
)


class ChromiumMissing(RuntimeError):
    """Debian's chromium or chromedriver is not installed: the browser tests fail (never skip) on it."""


def start_chromium(downloads: Path | None = None) -> webdriver.Chrome:
    """A headless Chromium that logs every request; files it downloads go to ``downloads``."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        raise ChromiumMissing(
            "the browser tests need Debian's chromium and chromium-driver (scripts/test installs them)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    if downloads is not None:
        options.add_experimental_option(
            "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
        )
    return webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
