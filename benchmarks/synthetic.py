"""A deterministic synthetic catalogue of procedures sized like real ones, for the benchmarks.

Procedures have 5–40 steps, 3–15 documents, conditions and alternatives, lookups in several data
sources, declared loops and conditional branches. The same seed always gives the same files.
"""

from __future__ import annotations

import copy
import functools
import random
from pathlib import Path
from typing import Any

import yaml

FACTS = [f"person.attribute_{i}" for i in range(60)] + ["person.id_number"]
AGENCIES = [f"agency-{i}" for i in range(6)]
SOURCE = {"url": "https://example.org/thutuc/synthetic", "confidence": "inferred", "note": "synthetic benchmark data"}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes every value out in full: thutuc refuses YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: dict[str, Any]) -> str:
    """YAML text without anchors or aliases."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def catalogue_data(seed: int = 0) -> dict[str, Any]:
    """The shared catalogue: facts, 40 document types, 6 data sources and their connections."""
    return copy.deepcopy(_catalogue_data(seed))


@functools.lru_cache(maxsize=4)
def _catalogue_data(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    document_types = [
        {
            "id": f"document-type-{i}",
            "name": {"vi": f"Giấy tờ {i}", "en": f"Document {i}"},
            "proves": rng.sample(FACTS[:-1], rng.randint(1, 4)),
            "declaration": i % 10 == 0,
            "sources": [SOURCE],
        }
        for i in range(40)
    ]
    data_sources = [
        {
            "id": f"data-source-{i}",
            "name": {"vi": f"Cơ sở dữ liệu {i}", "en": f"Database {i}"},
            "holds": [
                {"fact": f, "coverage": "partial", "condition": "registered holders only"} if rng.random() < 0.2 else f
                for f in rng.sample(FACTS[:-1], 15)
            ]
            + ["person.id_number"],
            "lookup_key": "person.id_number",
            "connections": [
                {"to": a, "since": f"20{rng.randint(15, 30)}-0{rng.randint(1, 9)}-01"} for a in rng.sample(AGENCIES, 2)
            ],
            "legal_basis": [{"document": f"Synthetic law {i}/2020"}],
            "sources": [SOURCE],
        }
        for i in range(6)
    ]
    return {
        "kind": "catalogue",
        "agencies": [{"id": a, "name": {"vi": a}, "kind": "agency"} for a in AGENCIES],
        "facts": [{"id": f, "name": {"vi": f}} for f in FACTS],
        "document_types": document_types,
        "data_sources": data_sources,
        "cost_parameters": [
            {"id": p, "name": {"vi": p}, "value": v, "unit": "u", "basis": "assumed", "note": "benchmark"}
            for p, v in (
                ("hourly-income", 30700),
                ("time-per-visit", 2),
                ("travel-cost-per-visit", 30000),
                ("document-preparation-time", 0.5),
                ("copy-cost", 500),
                ("copy-certification-fee", 2000),
            )
        ],
    }


def procedure_data(seed: int, *, steps: int | None = None, documents: int | None = None) -> dict[str, Any]:
    """One procedure: a flow with branches and loops over a lane per actor, and its dossier."""
    rng = random.Random(seed)
    catalogue = _catalogue_data(0)
    step_count = steps if steps is not None else rng.randint(5, 40)
    document_count = documents if documents is not None else rng.randint(3, 15)
    actors = [{"id": "citizen", "name": {"vi": "Công dân"}, "kind": "citizen"}] + [
        {"id": f"office-{i}", "name": {"vi": f"Cán bộ {i}"}, "kind": "officer", "agency": rng.choice(AGENCIES)}
        for i in range(rng.randint(2, 5))
    ]
    types = catalogue["document_types"]
    documents_list = []
    proven: set[str] = set()
    for i in range(document_count):
        document: dict[str, Any] = {
            "id": f"document-{i}",
            "form": rng.choice(["original", "certified_copy", "plain_copy"]),
            "mode": rng.choice(["submitted", "shown", "uploaded"]),
        }
        if rng.random() < 0.25:
            chosen = rng.sample(types, 2)
            document["any_of"] = [[t["id"]] for t in chosen]
            proven |= set(chosen[0]["proves"]) & set(chosen[1]["proves"])
        else:
            chosen_type = rng.choice(types)
            document["document_type"] = chosen_type["id"]
            proven |= set(chosen_type["proves"])
        if rng.random() < 0.3:
            document["condition"] = "Only in some cases"
        documents_list.append(document)
    step_list: list[dict[str, Any]] = []
    kinds = ["receive", "check", "transfer", "consult", "decide", "sign", "notify", "issue"]
    for i in range(step_count):
        step: dict[str, Any] = {"id": f"step-{i}", "name": {"vi": f"Bước {i}", "en": f"Step {i}"}}
        if i == 0:
            step.update(
                actor="citizen",
                kind="submit",
                channels=["in_person"],
                consumes=[d["id"] for d in documents_list],
                provides={"applicant": ["person.id_number"]},
            )
        elif rng.random() < 0.1:
            source = rng.choice(catalogue["data_sources"])
            held = [h if isinstance(h, str) else h["fact"] for h in source["holds"]]
            step.update(
                actor=rng.choice(actors[1:])["id"],
                kind="lookup",
                channels=["system"],
                data_source=source["id"],
                needs={"applicant": ["person.id_number"]},
                provides={"applicant": rng.sample(held, 3)},
            )
            proven |= set(step["provides"]["applicant"])
        else:
            kind = rng.choice(kinds)
            step.update(actor=rng.choice(actors[1:])["id"], kind=kind)
            if kind in ("check", "decide") and proven:
                step["needs"] = {"applicant": sorted(rng.sample(sorted(proven), min(3, len(proven))))}
            if rng.random() < 0.2:
                step["requires"] = ["presence"]
            if rng.random() < 0.3:
                step["duration"] = {"working_days": rng.randint(1, 5)}
        step_list.append(step)
    for i, step in enumerate(step_list[:-1]):
        transitions: list[Any] = [{"to": f"step-{i + 1}"}]
        if i + 3 < step_count and rng.random() < 0.15:
            transitions.append(
                {"to": f"step-{rng.randint(i + 2, min(step_count - 1, i + 6))}", "condition": "Otherwise"}
            )
        if i > 2 and rng.random() < 0.05:
            transitions.append(
                {"to": f"step-{rng.randint(max(1, i - 4), i - 1)}", "loop": True, "condition": "Incomplete"}
            )
        step["next"] = transitions
    step_list[-1]["produces"] = ["result"]
    return {
        "kind": "procedure",
        "id": f"synthetic-{seed}",
        "name": {"vi": f"Thủ tục tổng hợp {seed}", "en": f"Synthetic procedure {seed}"},
        "level": "provincial",
        "agency": actors[1]["id"],
        "legal_basis": [{"document": "Synthetic law 1/2020"}],
        "roles": [{"id": "applicant", "subject": "person"}],
        "actors": actors,
        "documents": documents_list,
        "steps": step_list,
        "results": [{"id": "result", "name": {"vi": "Kết quả"}}],
        "time_limit": {"working_days": rng.randint(1, 30)},
        "sources": [SOURCE],
    }


def write_tree(folder: Path, count: int, *, seed: int = 0) -> list[Path]:
    """Write the catalogue and ``count`` procedures under ``folder``; returns the procedure files."""
    (folder / "catalogue").mkdir(parents=True, exist_ok=True)
    (folder / "catalogue" / "catalogue.yaml").write_text(dump(catalogue_data(0)), encoding="utf-8")
    files = []
    for index in range(count):
        path = folder / "procedures" / f"{index:05d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump(procedure_data(seed * 1_000_003 + index), allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        files.append(path)
    return files
