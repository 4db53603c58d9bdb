"""Build the HTML report of the shipped services and photograph it in headless Chromium for docs/images/.

Run ``python tools/report_screenshots.py`` after changing the report; look at the pictures before
committing them. tests/test_report_browser.py uses the same browser set-up.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SCREENSHOT_AS_OF = dt.date(2026, 11, 28)
"""Fixed, as for the generated docs pages, so that the pictures change only with the code or data."""
SCREENSHOT_SERVICE = "birth-registration"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAMES = ("chromedriver",)


def find_browser() -> tuple[str, str] | None:
    """(Chromium, chromedriver) executables, from $CHROMIUM / $CHROMEDRIVER or the PATH; None if missing."""
    browser = _executable("CHROMIUM", CHROMIUM_NAMES)
    driver = _executable("CHROMEDRIVER", DRIVER_NAMES)
    return (browser, driver) if browser and driver else None


def _executable(variable: str, names: tuple[str, ...]) -> str | None:
    """The program named by ``$variable`` when set, else the first of ``names`` on the PATH."""
    if os.environ.get(variable):
        return shutil.which(os.environ[variable])
    return next(filter(None, map(shutil.which, names)), None)


def chromium_driver(width: int = 1400, height: int = 1000) -> Any:
    """Headless Chromium under Selenium, logging the console and the network for the tests to read."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_browser()
    if found is None:
        raise RuntimeError("no Chromium and chromedriver: apt-get install chromium chromium-driver")
    browser, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def full_page_png(driver: Any) -> bytes:
    """The whole page, not only the window, as PNG."""
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    return base64.b64decode(shot["data"])


def build_report(folder: Path) -> None:
    """The report of the shipped procedures, as of ``SCREENSHOT_AS_OF``, written to ``folder``."""
    from thutuc.analysis import AnalysisOptions
    from thutuc.io import load_all
    from thutuc.render.site import build_site, write_site

    write_site(build_site(load_all(ROOT / "procedures"), options=AnalysisOptions(as_of=SCREENSHOT_AS_OF)), folder)


def save_screenshots(report: Path, images: Path) -> list[Path]:
    """The top of the English index and of one service page, as a reader first sees them."""
    from thutuc.io import write_atomic

    driver = chromium_driver(1400, 1300)
    written = []
    try:
        for page, name, height in (
            ("index.en.html", "report-index.png", 1300),
            (f"services/{SCREENSHOT_SERVICE}.en.html", "report-procedure.png", 1900),
        ):
            driver.set_window_size(1400, height)
            driver.get((report / page).as_uri())
            driver.execute_script("return document.fonts.ready")
            target = images / name
            write_atomic(target, driver.get_screenshot_as_png())
            written.append(target)
    finally:
        driver.quit()
    return written


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="thutuc-report-") as folder:
        report = Path(folder)
        build_report(report)
        for path in save_screenshots(report, ROOT / "docs" / "images"):
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
