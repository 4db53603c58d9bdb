"""The HTML report without a browser: coverage of the services, links, the CSP, escaping, charts, the CLI."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from thutuc.cli import cli
from thutuc.io import ProcedureSet
from thutuc.model import Name, ProcedureStatus, Source
from thutuc.render.charts import ChartRow, bar_chart, paired_bar_chart
from thutuc.render.output import RenderError, renderer
from thutuc.render.site import CONTENT_SECURITY_POLICY, build_site, checked_svg, page_path, write_site
from thutuc.testing.examples import tiny_catalogue, tiny_procedure

from .conftest import ROOT

pytestmark = pytest.mark.skipif(renderer() is None, reason="no Graphviz renderer installed")

HOSTILE_NAMES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


class _Links(HTMLParser):
    """Every href and src of a page, with the tag, and the attributes of every tag."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, dict[str, str | None]]] = []
        self.attributes: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.policies: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.attributes += [(tag, name) for name, _ in attrs]
        if tag == "script":
            self.scripts.append(values)
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.policies.append(values.get("content"))
        for name in ("href", "src"):
            if values.get(name):
                self.links.append((tag, values[name] or "", values))


def _parsed(content: bytes) -> _Links:
    parser = _Links()
    parser.feed(content.decode())
    return parser


def test_every_service_has_a_row_and_a_page_in_each_language(shipped_site: dict[str, bytes], shipped_set: ProcedureSet):
    current = [p for p in shipped_set.procedures if p.status is ProcedureStatus.CURRENT]
    for lang in ("vi", "en"):
        index = shipped_site[page_path("index", lang)].decode()
        assert index.count("<tr data-level=") == len(current)
        for procedure in current:
            page = page_path(f"services/{procedure.id}", lang)
            assert page in shipped_site
            assert f'href="{page}"' in index
            name = procedure.name.vi if lang == "vi" else procedure.name.en
            assert html.escape(name) in shipped_site[page].decode()


def test_each_baseline_is_shown_as_its_service_s_official_reform(
    shipped_site: dict[str, bytes], shipped_set: ProcedureSet
):
    baselines = [p for p in shipped_set.procedures if p.status is ProcedureStatus.BASELINE]
    assert baselines
    current = {p.service_number: p for p in shipped_set.procedures if p.status is ProcedureStatus.CURRENT}
    for baseline in baselines:
        service = current[baseline.service_number]
        diagram = f"diagrams/{service.id}-reform.en.svg"
        assert diagram in shipped_site
        assert f'src="../{diagram}"' in shipped_site[f"services/{service.id}.en.html"].decode()
        assert page_path(f"services/{baseline.id}", "en") not in shipped_site


def test_every_page_sets_the_policy_and_has_no_inline_script_style_or_handler(shipped_site: dict[str, bytes]):
    pages = [name for name in shipped_site if name.endswith(".html")]
    assert len(pages) > 2
    for name in pages:
        content = shipped_site[name]
        text = content.decode()
        parsed = _parsed(content)
        assert parsed.policies == [CONTENT_SECURITY_POLICY], name
        assert parsed.scripts, name
        assert all(script.get("src") for script in parsed.scripts), f"{name}: inline script"
        assert "<style" not in text, name
        inline = [
            (tag, attribute) for tag, attribute in parsed.attributes if attribute == "style" or attribute[:2] == "on"
        ]
        assert inline == [], name


def test_every_link_and_image_of_the_report_resolves_to_one_of_its_files(shipped_site: dict[str, bytes]):
    for name, content in shipped_site.items():
        if not name.endswith(".html"):
            continue
        for tag, target, attributes in _parsed(content).links:
            if target.startswith(("https://", "http://")):
                # Web addresses are only links to the legal sources, never loaded, and leak no referrer.
                assert tag == "a", f"{name}: {tag} loads {target}"
                assert "noreferrer" in (attributes.get("rel") or ""), f"{name}: {target}"
                continue
            if target.startswith("#"):
                assert f'id="{target[1:]}"' in content.decode(), f"{name}: no anchor {target}"
                continue
            resolved = (PurePosixPath(name).parent / target.split("#")[0]).as_posix()
            normalised = str(Path("/", resolved).resolve())[1:]
            assert normalised in shipped_site, f"{name}: {tag} {target} is not part of the report"


def test_diagrams_and_charts_hold_no_active_content(shipped_site: dict[str, bytes]):
    svgs = [name for name in shipped_site if name.endswith(".svg")]
    assert any(name.startswith("charts/") for name in svgs)
    for name in svgs:
        assert checked_svg(shipped_site[name], name) is shipped_site[name]


def _hostile_set() -> ProcedureSet:
    base = tiny_procedure()
    procedures = []
    for index, hostile in enumerate(HOSTILE_NAMES):
        step = base.steps[0].model_copy(update={"name": Name(vi=hostile, en=hostile)})
        procedures.append(
            base.model_copy(
                update={
                    "id": f"hostile-{index}",
                    "service_number": index + 1,
                    "name": Name(vi=hostile, en=hostile),
                    "steps": [step, *base.steps[1:]],
                    "sources": [Source(url="javascript:alert(1)", confidence="inferred", note=hostile)],
                }
            )
        )
    return ProcedureSet(tiny_catalogue(), tuple(procedures))


def test_hostile_names_are_escaped_everywhere():
    files = build_site(_hostile_set(), workers=1)
    for name, content in files.items():
        text = content.decode()
        for hostile in HOSTILE_NAMES:
            assert hostile not in text, f"{name} carries {hostile!r} unescaped"
            assert "<img src=x" not in text, name
    index = files["index.en.html"].decode()
    for hostile in HOSTILE_NAMES:
        assert hostile in html.unescape(index)
    page = files["services/hostile-0.en.html"].decode()
    assert f"<title>{html.escape(HOSTILE_NAMES[0])}</title>" in page
    assert 'href="javascript:' not in page
    assert "javascript:alert(1)" in page, "an unsafe address is still shown, as text"
    diagram = files["diagrams/hostile-1-diff.en.svg"]
    labels = "".join(ET.fromstring(diagram).itertext())
    assert HOSTILE_NAMES[1] in labels, "the diagram shows the name as text"


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<a x:href=" javascript:alert(1)"><text>t</text></a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>t</p></foreignObject></svg>',
    ],
)
def test_an_svg_that_could_run_something_is_refused(svg: bytes):
    with pytest.raises(RenderError, match="refusing to publish"):
        checked_svg(svg, "x.svg")


def _bars(svg: str, colour: str) -> list[float]:
    root = ET.fromstring(svg)
    return [
        float(rect.get("width") or 0)
        for rect in root.iter("{http://www.w3.org/2000/svg}rect")
        if rect.get("fill") == colour and rect.get("y") != "30"
    ]


class TestCharts:
    def test_bars_are_proportional_to_the_values_and_written_out(self):
        svg = paired_bar_chart(
            "Cost", [ChartRow("a", 200, 100), ChartRow("b", 50, None)], legend=("Before", "After"), value_format=str
        )
        before, after = _bars(svg, "#8C8C8C"), _bars(svg, "#0072B2")
        assert before[0] == pytest.approx(4 * before[1])
        assert after == [pytest.approx(before[0] / 2)]
        assert ">200</text>" in svg
        assert ">unknown</text>" in svg

    def test_every_text_is_escaped_and_the_svg_is_well_formed(self):
        hostile = HOSTILE_NAMES[0]
        for svg in (
            bar_chart(hostile, [ChartRow(hostile, 1, tooltip=hostile)]),
            paired_bar_chart(hostile, [ChartRow(hostile, 1, 2)], legend=(hostile, hostile), value_format=str),
        ):
            assert hostile not in svg
            root = ET.fromstring(svg)
            assert hostile in "".join(root.itertext())

    def test_whole_counts_get_whole_ticks(self):
        svg = bar_chart("Visits", [ChartRow("a", 3), ChartRow("b", 1)])
        ticks = re.findall(r'font-size="10" text-anchor="middle" font-weight="normal">([^<]+)<', svg)
        assert ticks == ["0", "1", "2", "3", "4", "5"]


def test_write_site_writes_every_file(tmp_path: Path):
    files = {"index.html": b"<p>x</p>", "assets/a.css": b"p{}"}
    write_site(files, tmp_path / "report")
    assert {
        p.relative_to(tmp_path / "report").as_posix() for p in (tmp_path / "report").rglob("*") if p.is_file()
    } == set(files)


class TestCommand:
    def test_writes_the_report(self, tmp_path: Path):
        target = tmp_path / "report"
        result = CliRunner().invoke(
            cli, ["report", str(ROOT / "procedures/essential/09-birth-registration.yaml"), "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
        assert (target / "index.html").is_file()
        assert (target / "services" / "birth-registration.en.html").is_file()
        assert "(1 services)" in result.output

    def test_an_invalid_file_is_a_located_error(self, tmp_path: Path):
        invalid = ROOT / "tests/fixtures/invalid/THT012-unknown-document.yaml"
        result = CliRunner().invoke(
            cli,
            ["report", str(invalid), "--catalogue", str(ROOT / "tests/fixtures/shared-catalogue"), "-o", str(tmp_path)],
        )
        assert result.exit_code == 1
        assert "THT012-unknown-document.yaml:22:25" in result.output
        assert "Traceback" not in result.output

    def test_an_output_that_is_a_file_is_a_usage_error(self, tmp_path: Path):
        existing = tmp_path / "taken"
        existing.write_text("x")
        result = CliRunner().invoke(cli, ["report", str(ROOT / "procedures/essential"), "-o", str(existing)])
        assert result.exit_code == 2
        assert "is a file" in result.output


def test_a_baseline_without_its_current_version_stands_as_a_service(shipped_set: ProcedureSet):
    baseline = next(p for p in shipped_set.procedures if p.status is ProcedureStatus.BASELINE)
    files = build_site(ProcedureSet(shipped_set.catalogue, (baseline,)), workers=1)
    assert f"services/{baseline.id}.en.html" in files
    assert files["index.en.html"].decode().count("<tr data-level=") == 1
    assert not any(name.endswith("-reform.en.svg") for name in files), "no reform without the current version"


@pytest.mark.parametrize(
    ("value", "lang", "digits", "text"),
    [
        (1801300, "en", 0, "1,801,300"),
        (1801300, "vi", 0, "1.801.300"),
        (3.75, "vi", 1, "3,8"),
        (7.0, "en", 1, "7"),
        (None, "vi", 0, "–"),
    ],
)
def test_numbers_are_written_the_way_each_language_writes_them(value, lang, digits, text):
    from thutuc.render.site import _number

    assert _number(value, lang, digits) == text


def test_the_vietnamese_pages_speak_vietnamese(shipped_site: dict[str, bytes], shipped_set: ProcedureSet):
    index = html.unescape(shipped_site["index.html"].decode())
    assert '<html lang="vi">' in index
    assert "Đọc bằng tiếng Việt" not in index
    assert "Read in English" in index
    procedure = next(p for p in shipped_set.procedures if p.status is ProcedureStatus.CURRENT)
    page = html.unescape(shipped_site[f"services/{procedure.id}.html"].decode())
    assert "Căn cứ pháp lý" in page
    assert "Legal basis" not in page


def test_the_index_names_what_can_go_and_what_blocks_full_online(
    shipped_site: dict[str, bytes], shipped_set: ProcedureSet
):
    import datetime as dt

    from thutuc.analysis import AnalysisOptions, Severity, analyze_set

    report = analyze_set(shipped_set, options=AnalysisOptions(as_of=dt.date(2026, 11, 28)))
    rows = {
        re.search(r'data-search="([a-z0-9-]+) ', row).group(1): row
        for row in shipped_site["index.en.html"].decode().split("<tr data-level=")[1:]
    }
    assert len(rows) == sum(1 for p in report.procedures if p.status == "current")
    for analysis in report.procedures:
        if analysis.id not in rows:
            continue
        severities = {f.severity for f in analysis.findings}
        row = rows[analysis.id]
        assert ("Blocks full online:" in row) == (Severity.BLOCKER in severities), analysis.id
        assert ("Can go:" in row) == (Severity.OPPORTUNITY in severities), analysis.id
        assert ("Nothing to remove, no blocker" in row) == (not severities & {Severity.BLOCKER, Severity.OPPORTUNITY})


def test_every_rule_has_a_vietnamese_title_for_the_vietnamese_pages():
    from thutuc.analysis import RULES

    untitled = [rule.id for rule in RULES.values() if not rule.title_vi.strip() or rule.title_vi == rule.title]
    assert untitled == []
