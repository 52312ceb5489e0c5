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


EXPORTS = DOC.parents[1] / "tests" / "fixtures" / "exports"


def _rendered(folder: Path, **kwargs: object) -> list[str]:
    from teamquota.data.loader import LoadOptions, load

    column_map = kwargs.pop("column_map", None)
    result = load(folder, column_map, LoadOptions(**kwargs))  # type: ignore[arg-type]
    return [d.render().split("\n")[0].replace(f"{folder}/", "") for d in result.diagnostics]


def test_data_doc__the_rounding_and_encoding_examples_are_what_the_loader_says() -> None:
    text = DOC.read_text()
    folder = EXPORTS / "salesforce_api"
    rounded = _rendered(folder, column_map=folder / "org-map.yaml")
    unstated = _rendered(folder)
    shown = [line for line in text.splitlines() if line.startswith("Opportunity.csv:")]
    assert len(shown) == 3  # D044 rounding, D000 not UTF-8, D049 read as cp1252
    assert shown[0] in rounded and shown[1] in unstated and shown[2] in rounded


def test_data_doc__the_map_examples_load() -> None:
    from teamquota.data.columnmap import load_map_text

    blocks = re.findall(r"```yaml\n(map: .*?)```", DOC.read_text(), re.S)
    assert blocks and all(load_map_text(b).map.extends for b in blocks)
    day_first = load_map_text('map: ours\nextends: salesforce\ntables: {deals: {dates: '
                              '{close_date: "%d/%m/%Y"}}}\n')
    deals = day_first.table("deals")
    assert deals is not None and deals.dates == {"close_date": "%d/%m/%Y"} and deals.footer
