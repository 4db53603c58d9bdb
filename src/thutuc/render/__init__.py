"""Flow diagrams: procedure → DOT or Mermaid text (pure), then DOT → SVG, PNG or PDF (a separate step).

The text builders never touch Graphviz; ``render_dot`` does, in-process through pygraphviz or with ``dot``.
"""

from thutuc.render.dot import DiagramStatus, before_after_dot, diff_dot, procedure_dot
from thutuc.render.mermaid import before_after_mermaid, diff_mermaid, procedure_mermaid
from thutuc.render.output import FORMATS, RenderError, render_dot, renderer

__all__ = [
    "FORMATS",
    "DiagramStatus",
    "RenderError",
    "before_after_dot",
    "before_after_mermaid",
    "diff_dot",
    "diff_mermaid",
    "procedure_dot",
    "procedure_mermaid",
    "render_dot",
    "renderer",
]
