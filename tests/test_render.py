"""Diagrams: the DOT structure without rendering, escaping of hostile names, and real SVG output."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thutuc.model import Procedure
from thutuc.render import before_after_dot, diff_dot, procedure_dot, procedure_mermaid, render_dot, renderer
from thutuc.render import output as render_output
from thutuc.render.output import RenderError
from thutuc.transform import simplify

from .test_analysis import build, procedure_data

HOSTILE = 'Giấy "tờ" <b>&</b> {a|b} \\ \\n\nnext line'
needs_renderer = pytest.mark.skipif(renderer() is None, reason="no Graphviz renderer installed")


def nodes(source: str) -> list[str]:
    return re.findall(r"^\s*\"?([\w:.-]+)\"? \[", source, flags=re.MULTILINE)


class TestDotStructure:
    def test_one_lane_per_actor_with_steps_the_citizen_first(self):
        procedure, catalogue = build()
        source = procedure_dot(procedure, catalogue)
        lanes = re.findall(r"subgraph cluster_lane_(\d+)", source)
        assert len(lanes) == len(procedure.actors)
        first_lane = source.split("subgraph cluster_lane_0", 1)[1].split("subgraph", 1)[0]
        assert "Công dân" in first_lane
        assert all(step.id in nodes(source) for step in procedure.steps)

    def test_shapes_events_documents_and_markers(self):
        procedure, catalogue = build()
        source = procedure_dot(procedure, catalogue)
        assert re.search(r"decide \[.*shape=diamond", source)
        assert source.count("shape=note") >= len(procedure.documents)
        assert re.search(r"start \[.*shape=circle", source)
        assert re.search(r"end0 \[.*penwidth=3", source)
        assert "(shown)" in source
        assert "(submitted)" in source

    def test_title_has_name_code_readiness_and_metrics(self):
        procedure, catalogue = build()
        source = procedure_dot(procedure, catalogue)
        title = re.search(r'fontsize=18 label="((?:[^"\\]|\\.)*)"', source).group(1)
        assert title.startswith("Test procedure\\nonline: offline")
        assert "visits" in title

    def test_presence_and_durations_are_written_on_the_step(self):
        data = procedure_data()
        data["steps"][3].update(requires=["presence", "cash"], duration={"working_days": 2})
        procedure, catalogue = build(data)
        source = procedure_dot(procedure, catalogue, lang="vi")
        assert "2 ngày làm việc · trực tiếp · tiền mặt" in source
        assert "2 working days · in person · cash" in procedure_dot(procedure, catalogue)

    def test_diff_marks_every_status_by_colour_prefix_and_line(self):
        before, catalogue = build()
        after = simplify(before, catalogue=catalogue, as_of=dt.date(2025, 1, 1)).procedure
        source = diff_dot(before, after, catalogue)
        removed = re.search(r"x_transfer \[(.*)\]", source).group(1)
        assert "<S>− " in removed
        assert "dashed" in removed
        assert "#D55E00" in removed
        added = re.search(r"n_lookup-population-db\"? \[(.*)\]", source).group(1)
        assert "+ " in added
        assert "#009E73" in added
        unchanged = re.search(r"n_decide \[(.*)\]", source).group(1)
        assert "#9E9E9E" in unchanged
        assert "+ " not in unchanged
        assert "cluster_legend" in source

    def test_before_after_has_two_panels(self):
        before, catalogue = build()
        after = simplify(before, catalogue=catalogue, as_of=dt.date(2025, 1, 1)).procedure
        source = before_after_dot(before, after, catalogue)
        assert "cluster_bpanel" in source
        assert "cluster_apanel" in source
        assert "b_transfer" in source
        assert "a_transfer" not in source


def hostile_procedure(text: str) -> Procedure:
    data = procedure_data()
    data["name"] = {"vi": text, "en": text}
    data["steps"][0]["name"] = {"vi": text, "en": text}
    data["actors"][0]["name"] = {"vi": text}
    data["documents"][0]["name"] = {"vi": text}
    data["steps"][0]["next"] = [{"to": "receive", "condition": text}]
    return Procedure.model_validate(data)


class TestEscaping:
    @needs_renderer
    def test_hostile_names_survive_into_the_svg(self):
        procedure = hostile_procedure(HOSTILE)
        _, catalogue = build()
        svg = render_dot(procedure_dot(procedure, catalogue), "svg").decode()
        texts = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
        assert any('Giấy "tờ" <b>&</b> {a|b} \\ \\n next line' in t for t in texts)

    @needs_renderer
    @given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=25))
    def test_any_name_gives_dot_that_graphviz_accepts(self, text: str):
        if not text.strip():
            return
        procedure = hostile_procedure(text)
        _, catalogue = build()
        for source in (procedure_dot(procedure, catalogue), diff_dot(procedure, procedure, catalogue)):
            ET.fromstring(render_dot(source, "svg"))

    def test_mermaid_encodes_syntax_characters(self):
        text = procedure_mermaid(hostile_procedure(HOSTILE))
        label_lines = [line for line in text.splitlines() if "Giấy" in line]
        assert label_lines
        for line in label_lines:
            inside = re.findall(r'"([^"]*)"', line)
            assert inside, line
            labels = [label.replace("<br/>", " ") for label in inside]
            assert not any(c in label for label in labels for c in "<>{}|\\")


class TestOutput:
    @needs_renderer
    def test_svg_png_and_pdf(self):
        procedure, catalogue = build()
        source = procedure_dot(procedure, catalogue)
        svg = ET.fromstring(render_dot(source, "svg"))
        titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
        assert {"submit", "decide", "issue"} <= titles
        assert render_dot(source, "png").startswith(b"\x89PNG")
        assert render_dot(source, "pdf").startswith(b"%PDF")

    def test_without_a_renderer_the_error_says_how_to_get_one(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setattr(render_output, "renderer", lambda: None)
        with pytest.raises(RenderError, match="pip install pygraphviz"):
            render_dot("digraph { a }", "svg")

    def test_an_unknown_format_is_refused(self):
        with pytest.raises(RenderError, match="choose one of svg, png, pdf"):
            render_dot("digraph { a }", "gif")

    @needs_renderer
    def test_the_dot_program_is_used_when_pygraphviz_is_missing(self, monkeypatch: pytest.MonkeyPatch):
        import shutil

        if shutil.which("dot") is None:
            pytest.skip("the dot program is not installed")
        monkeypatch.setattr(render_output, "renderer", lambda: "dot")
        assert b"<svg" in render_dot("digraph { a -> b }", "svg")


def test_generated_pages_do_not_need_a_renderer(tmp_path: Path):
    procedure, catalogue = build()
    assert procedure_dot(procedure, catalogue).startswith("digraph")
    assert procedure_mermaid(procedure, catalogue).startswith("flowchart TB")


def test_mermaid_before_after_and_diff_views():
    from thutuc.render import before_after_mermaid, diff_mermaid

    before, catalogue = build()
    after = simplify(before, catalogue=catalogue, as_of=dt.date(2025, 1, 1)).procedure
    panels = before_after_mermaid(before, after, catalogue)
    assert panels.count("subgraph b_panel") == 1
    assert panels.count("subgraph a_panel") == 1
    merged = diff_mermaid(before, after, catalogue)
    assert merged.count("flowchart") == 1
    assert ":::removed" in merged
    assert ":::added" in merged
    assert "classDef removed" in merged
