"""Charts as self-contained Plotly HTML files.

plotly.js comes from the installed plotly package and is written once per output folder
(``plotly.min.js``, ``include_plotlyjs="directory"``); no page loads anything from a CDN,
so the files open offline.
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go


def write_chart(figure: go.Figure, out: Path, name: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.html"
    figure.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 60, "b": 60})
    figure.write_html(path, include_plotlyjs="directory", full_html=True)
    return path
