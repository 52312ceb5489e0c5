"""docs/data.md embeds the generated table and code reference; keep them equal."""

from __future__ import annotations

import re
from pathlib import Path

from teamquota.data.codes import DATA_CODES
from teamquota.data.reference import codes_markdown, tables_markdown
from teamquota.data.tables import TABLES

DOC = Path(__file__).parents[2] / "docs" / "data.md"


def _block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start[^>]*-->\n(.*?)<!-- {name}:end -->", DOC.read_text(),
                      re.S)
    assert match, f"docs/data.md has no {name} block"
    return match.group(1)


def test_data_doc__tables_block_matches_the_specs() -> None:
    assert _block("tables") == tables_markdown()


def test_data_doc__codes_block_matches_the_codes() -> None:
    assert _block("codes") == codes_markdown()


def test_data_doc__mentions_every_column_and_code() -> None:
    text = DOC.read_text()
    for spec in TABLES.values():
        for column in spec.column_names:
            assert f"`{column}`" in text, f"{spec.name}.{column}"
    for code in DATA_CODES:
        assert code in text


def test_data_codes__every_code_used_in_the_data_package_is_documented() -> None:
    source = "\n".join(p.read_text() for p in (DOC.parents[1] / "src" / "teamquota" / "data")
                       .glob("*.py") if p.name != "codes.py")
    used = set(re.findall(r'"(D0\d\d)"', source))
    assert used <= set(DATA_CODES), used - set(DATA_CODES)
