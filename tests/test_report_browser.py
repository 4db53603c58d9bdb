"""The HTML report in headless Chromium: clean loads from file://, links, sorting, filtering, the language
switch, and hostile procedure names that must stay text. Screenshots go to $THUTUC_SCREENSHOTS (or a temp folder).

Skipped only where no browser is installed and $CI is not set; in CI a missing browser fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thutuc.analysis import AnalysisOptions
from thutuc.io import ProcedureSet, load_catalogue, load_paths
from thutuc.model import Name, Source
from thutuc.render.output import renderer
from thutuc.render.site import build_site, write_site

from .conftest import ROOT
from .test_site import HOSTILE_NAMES

pytestmark = pytest.mark.browser


def _screenshot_tool() -> Any:
    spec = importlib.util.spec_from_file_location("report_screenshots", ROOT / "tools" / "report_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _screenshot_tool()


def _missing(what: str) -> None:
    message = f"{what}: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but {message}")
    pytest.skip(f"browser tests skipped, {message}; they run in CI")


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing("selenium is not installed")
    if TOOL.find_browser() is None:
        _missing("no Chromium or chromedriver on the PATH")
    if renderer() is None:
        _missing("no Graphviz renderer for the diagrams")
    browser = TOOL.chromium_driver(1400, 1000)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def report(shipped_site: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    write_site(shipped_site, folder)
    return folder


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real services copied and renamed with the hostile names: in titles, table cells and diagram labels."""
    catalogue = load_catalogue(ROOT / "procedures" / "catalogue")
    real = load_paths(
        [
            ROOT / "procedures/essential/09-birth-registration.yaml",
            ROOT / "procedures/essential/22-criminal-record-certificate.yaml",
        ],
        catalogue_folder=ROOT / "procedures" / "catalogue",
    ).procedures
    renamed = []
    for procedure, hostile in zip(real, HOSTILE_NAMES, strict=True):
        first = procedure.steps[0].model_copy(update={"name": Name(vi=hostile, en=hostile)})
        actors = [procedure.actors[0].model_copy(update={"name": Name(vi=hostile, en=hostile)}), *procedure.actors[1:]]
        renamed.append(
            procedure.model_copy(
                update={
                    "name": Name(vi=hostile, en=hostile),
                    "steps": [first, *procedure.steps[1:]],
                    "actors": actors,
                    "sources": [
                        *procedure.sources,
                        Source(url="javascript:alert(1)", confidence="inferred", note=hostile),
                    ],
                }
            )
        )
    folder = tmp_path_factory.mktemp("hostile")
    write_site(build_site(ProcedureSet(catalogue, tuple(renamed)), options=AnalysisOptions()), folder)
    return folder


def _open(driver: Any, path: Path) -> None:
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.as_uri())


def _requests(driver: Any) -> list[str]:
    """Every URL the browser requested since the log was last read."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _problems(driver: Any, report: Path, requested: list[str] | None = None) -> list[str]:
    """Console errors, requests outside the report, and images that did not load, since the last ``_open``."""
    problems = [f"console: {entry['message']}" for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    root = report.as_uri() + "/"
    urls = _requests(driver)
    if requested is not None:
        requested += urls
    problems += [f"request outside the report: {url}" for url in urls if not url.startswith(root)]
    broken = driver.execute_script(
        "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    problems += [f"image did not load: {src}" for src in broken]
    return problems


def test_every_page_loads_with_no_error_and_no_request_outside_the_report(driver: Any, report: Path):
    pages = sorted(report.rglob("*.html"))
    assert len(pages) == 2 + 2 * len(list((report / "services").glob("*.en.html")))
    for page in pages:
        _open(driver, page)
        driver.execute_script("return document.fonts.ready")
        requested: list[str] = []
        problems = _problems(driver, report, requested)
        assert problems == [], f"{page.relative_to(report)}: {problems}"
        assert driver.title.strip(), page
        # The network log does see the page's own files, so an empty list of outside requests means something.
        assert (report / "assets" / "report.css").as_uri() in requested, page
        assert any(url.endswith(".svg") for url in requested), page


def test_the_scripts_run_under_the_content_security_policy(driver: Any, report: Path):
    _open(driver, report / "index.en.html")
    controls = driver.find_element("id", "controls")
    assert controls.is_displayed(), "report.js ran and showed the controls"
    assert driver.find_elements("css selector", "th button.sort")
    colour = driver.execute_script("return getComputedStyle(document.querySelector('h2')).borderBottomStyle")
    assert colour == "solid", "report.css applied"


def test_without_javascript_the_pages_read_fully_and_show_no_dead_controls(driver: Any, report: Path):
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        _open(driver, report / "index.en.html")
        rows = driver.find_elements("css selector", "#services-table tbody tr")
        assert len(rows) == len(list((report / "services").glob("*.en.html")))
        assert all(row.is_displayed() for row in rows)
        assert not driver.find_element("id", "controls").is_displayed(), "no filter that would do nothing"
        assert driver.find_elements("css selector", "th button.sort") == []
        _open(driver, report / "services" / "birth-registration.en.html")
        assert driver.find_elements("css selector", "button.zoom") == []
        assert (
            driver.find_element("css selector", "figure.diagram a.diagram-frame").get_attribute("href").endswith(".svg")
        )
        assert _problems(driver, report) == []
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_links_lead_to_the_service_and_back(driver: Any, report: Path):
    _open(driver, report / "index.en.html")
    link = driver.find_element("css selector", "table.services tbody tr td.name a")
    name = link.text
    link.click()
    assert driver.current_url.startswith((report / "services").as_uri())
    assert driver.find_element("tag name", "h1").text.endswith(name)
    assert _problems(driver, report) == []
    driver.find_element("css selector", "nav.crumbs a").click()
    assert driver.current_url == (report / "index.en.html").as_uri()
    for anchor in driver.find_elements("css selector", "table.services a"):
        href = anchor.get_attribute("href")
        assert href.startswith("file://"), href
        assert Path(href.removeprefix("file://")).is_file(), href


def _column(driver: Any, index: int) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#services-table tbody tr'))"
        f".filter(r => !r.hidden).map(r => r.cells[{index}].getAttribute('data-sort'))"
    )


def test_sorting_orders_the_rows_and_says_so(driver: Any, report: Path):
    _open(driver, report / "index.en.html")
    headings = driver.find_elements("css selector", "#services-table thead th")
    documents = next(i for i, h in enumerate(headings) if h.text.startswith("Documents supplied"))
    button = headings[documents].find_element("css selector", "button.sort")
    button.click()
    values = [float(v) for v in _column(driver, documents)]
    assert values == sorted(values)
    assert headings[documents].get_attribute("aria-sort") == "ascending"
    button.click()
    values = [float(v) for v in _column(driver, documents)]
    assert values == sorted(values, reverse=True)
    assert values[0] > values[-1], "the services differ in what they save"
    assert headings[documents].get_attribute("aria-sort") == "descending"
    headings[0].find_element("css selector", "button.sort").click()
    numbers = [float(v) for v in _column(driver, 0)]
    assert numbers == sorted(numbers)


def test_the_filter_keeps_matching_rows_and_counts_them(driver: Any, report: Path):
    _open(driver, report / "index.en.html")
    total = len(_column(driver, 0))
    box = driver.find_element("id", "filter-text")
    box.send_keys("khai sinh")
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('#services-table tbody tr')).filter(r => !r.hidden)"
        ".map(r => r.getAttribute('data-search'))"
    )
    assert 0 < len(shown) < total
    assert all("khai sinh" in row for row in shown)
    assert driver.find_element("id", "filter-count").text == f"Showing {len(shown)} of {total} services"
    box.clear()
    box.send_keys(" ")
    assert len(_column(driver, 0)) == total


def test_the_language_switch_goes_both_ways(driver: Any, report: Path):
    _open(driver, report / "index.html")
    assert driver.find_element("tag name", "html").get_attribute("lang") == "vi"
    vietnamese = driver.find_element("tag name", "h1").text
    driver.find_element("css selector", "a.lang-switch").click()
    assert driver.current_url.endswith("/index.en.html")
    assert driver.find_element("tag name", "html").get_attribute("lang") == "en"
    assert driver.find_element("tag name", "h1").text != vietnamese
    driver.find_element("css selector", "table.services td.name a").click()
    english_page = driver.current_url
    assert english_page.endswith(".en.html")
    driver.find_element("css selector", "a.lang-switch").click()
    assert driver.current_url == english_page.replace(".en.html", ".html")
    assert driver.find_element("tag name", "html").get_attribute("lang") == "vi"
    assert _problems(driver, report) == []


def test_a_diagram_zooms_in_place(driver: Any, report: Path):
    _open(driver, report / "services" / "birth-registration.en.html")
    figure = driver.find_element("css selector", "figure.diagram")
    assert "zoomed" not in figure.get_attribute("class"), "a diagram first shows its whole shape"
    image = figure.find_element("tag name", "img")
    fitted = image.size["width"]
    button = figure.find_element("css selector", "button.zoom")
    button.click()
    assert "zoomed" in figure.get_attribute("class")
    assert image.size["width"] == int(image.get_attribute("width")) > fitted
    button.click()
    assert image.size["width"] == fitted


def _no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - reading it is the check


def test_hostile_names_render_as_text_and_raise_no_dialog(driver: Any, hostile_report: Path):
    for lang_suffix in ("", ".en"):
        _open(driver, hostile_report / f"index{lang_suffix}.html")
        _no_alert(driver)
        names = [a.text for a in driver.find_elements("css selector", "table.services td.name a")]
        assert sorted(names) == sorted(HOSTILE_NAMES)
        assert (
            driver.execute_script("return document.querySelectorAll('img[src=\"x\"], script:not([src])').length") == 0
        )
        assert _problems(driver, hostile_report) == []
        for index in range(len(HOSTILE_NAMES)):
            driver.find_elements("css selector", "table.services td.name a")[index].click()
            _no_alert(driver)
            title = driver.title
            assert title in HOSTILE_NAMES
            assert driver.find_element("tag name", "h1").text.endswith(title)
            assert driver.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0
            unsafe = driver.find_elements("xpath", "//td[@class='url'][contains(., 'javascript:alert(1)')]")
            assert unsafe, "an unsafe address is still shown"
            assert not unsafe[0].find_elements("tag name", "a"), "an unsafe address is text, not a link"
            assert _problems(driver, hostile_report) == []
            diagram = driver.find_element("css selector", "figure.diagram a.diagram-frame").get_attribute("href")
            driver.get(diagram)
            _no_alert(driver)
            assert title in driver.page_source.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            driver.back()
            driver.back()
        chart = hostile_report / "charts" / f"cost.{'en' if lang_suffix else 'vi'}.svg"
        driver.get(chart.as_uri())
        _no_alert(driver)
        tooltips = driver.execute_script(
            "return Array.from(document.querySelectorAll('g > title')).map(t => t.textContent)"
        )
        assert {tooltip.split(". ", 1)[1] for tooltip in tooltips} == set(HOSTILE_NAMES)


def test_screenshots_are_saved(driver: Any, report: Path, tmp_path: Path):
    folder = Path(os.environ.get("THUTUC_SCREENSHOTS") or tmp_path)
    saved = []
    for page in ("index.html", "index.en.html", "services/birth-registration.en.html", "services/driving-licence.html"):
        _open(driver, report / page)
        driver.execute_script("return document.fonts.ready")
        target = folder / (page.replace("/", "-").removesuffix(".html") + ".png")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(TOOL.full_page_png(driver))
        saved.append(target)
    for target in saved:
        header = target.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
        assert width >= 1000, target
        assert height > 1000, target
