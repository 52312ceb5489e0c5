"""Serve the plotly package's own ``plotly.min.js`` as ``comp/plotly.min.js`` (no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
NAME = "comp/plotly.min.js"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = "comp"  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        match = str(PLOTLY_DIR / "plotly.min.js") if path == NAME else None
        if find_all:
            return [match] if match else []
        return match or []

    def list(self, ignore_patterns: Any) -> Any:
        yield "plotly.min.js", self.storage
