"""DOT → SVG, PNG or PDF: in-process through pygraphviz when installed, else with the ``dot`` program.

The only module that runs Graphviz; everything before it is text.
"""

from __future__ import annotations

import shutil
import subprocess

from thutuc.errors import ThutucError

__all__ = ["FORMATS", "RenderError", "render_dot", "renderer"]

FORMATS = ("svg", "png", "pdf")
"""Formats Graphviz renders; DOT and Mermaid are text and need no renderer."""

_HOW_TO_GET_ONE = (
    "install pygraphviz (pip install pygraphviz: its wheels carry Graphviz) or the Graphviz 'dot' program "
    "(apt install graphviz); DOT and Mermaid output work without either"
)


class RenderError(ThutucError):
    """No Graphviz renderer is available, or Graphviz refused the DOT source."""

    def __init__(self, message: str) -> None:
        super().__init__(())
        self.message = message
        self.args = (message,)

    def __str__(self) -> str:
        return self.message


def renderer() -> str | None:
    """'pygraphviz', 'dot', or None when neither is available."""
    try:
        import pygraphviz  # noqa: F401
    except ImportError:
        return "dot" if shutil.which("dot") else None
    return "pygraphviz"


def render_dot(source: str, output_format: str = "svg") -> bytes:
    """Render DOT source to ``output_format`` (svg, png or pdf).

    Raises
    ------
    RenderError
        If the format is unknown, no renderer is available, or Graphviz rejects the source.
    """
    if output_format not in FORMATS:
        raise RenderError(f"cannot render '{output_format}': choose one of {', '.join(FORMATS)}")
    engine = renderer()
    if engine == "pygraphviz":
        import pygraphviz

        try:
            return pygraphviz.AGraph(string=source).draw(format=output_format, prog="dot")
        except (OSError, ValueError) as exc:
            raise RenderError(f"Graphviz could not render the diagram: {exc}") from None
    if engine == "dot":
        done = subprocess.run(["dot", f"-T{output_format}"], input=source.encode(), capture_output=True, check=False)
        if done.returncode != 0:
            raise RenderError(f"Graphviz could not render the diagram: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout
    raise RenderError(f"no Graphviz renderer: {_HOW_TO_GET_ONE}")
