"""Diagnostics render as file:line:col, collect by severity and raise all at once."""

import json

import pytest

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.core.spreadsheet import safe_cell


def test_source__path_line_column():
    assert str(Source("plan.yaml", 14, 12)) == "plan.yaml:14:12"
    assert str(Source("plan.yaml", 14)) == "plan.yaml:14"
    assert str(Source("plan.yaml", None, 3)) == "plan.yaml"  # a column needs a line


def test_diagnostic__render_with_and_without_source_and_hint():
    d = Diagnostic("P012", "unknown curve 'x'", Source("p.yaml", 3, 5), "use 'standard'")
    assert d.render() == "p.yaml:3:5: error[P012]: unknown curve 'x'\nhint: use 'standard'"
    assert Diagnostic("E010", "no target", severity="warning").render() == (
        "warning[E010]: no target")
    assert d.to_dict() == {"code": "P012", "message": "unknown curve 'x'",
                           "source": {"path": "p.yaml", "line": 3, "column": 5},
                           "hint": "use 'standard'", "severity": "error"}


def test_diagnostics__collect_by_severity_in_order():
    found = Diagnostics()
    found.warning("E010", "w", Source("a"), "h1")
    found.info("E020", "i")
    assert not found.has_errors and found.errors == [] and len(found) == 2
    found.raise_if_errors()  # warnings alone do not raise
    found.error("E001", "e", Source("b", 1), "h2")
    found.add(Diagnostic("E002", "f"))
    found.extend([Diagnostic("E003", "g", severity="info")])
    assert [d.code for d in found] == ["E010", "E020", "E001", "E002", "E003"]
    assert [d.severity for d in found] == ["warning", "info", "error", "error", "info"]
    assert found.items[0] == Diagnostic("E010", "w", Source("a"), "h1", "warning")
    assert found.items[2] == Diagnostic("E001", "e", Source("b", 1), "h2", "error")
    assert found.items[1] == Diagnostic("E020", "i", None, None, "info")
    assert [d.code for d in found.errors] == ["E001", "E002"]
    assert found.has_errors
    assert found.render() == ("a: warning[E010]: w\nhint: h1\ninfo[E020]: i\n"
                              "b:1: error[E001]: e\nhint: h2\nerror[E002]: f\ninfo[E003]: g")
    data = json.loads(found.to_json())
    assert data[2] == {"code": "E001", "message": "e", "source": {
        "path": "b", "line": 1, "column": None}, "hint": "h2", "severity": "error"}
    assert found.to_json().startswith('[\n  {\n    "code": "E010"')
    with pytest.raises(InputError) as raised:
        found.raise_if_errors()
    assert raised.value.diagnostics is found
    assert str(raised.value) == "b:1: error[E001]: e\nhint: h2 (+1 more)"


def test_input_error__from_a_list_and_a_single_error():
    error = InputError([Diagnostic("D003", "bad"), Diagnostic("D004", "w", severity="warning")])
    assert isinstance(error.diagnostics, Diagnostics)
    assert str(error) == "error[D003]: bad"
    assert str(InputError([])) == "no errors"


@pytest.mark.parametrize(("value", "cell"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Ann", "Ann"), (None, ""), (12, "12"), ("a=b", "a=b"),
])
def test_safe_cell__quotes_formula_starts(value, cell):
    assert safe_cell(value) == cell


def test_diagnostics__info_keeps_its_source_and_hint():
    found = Diagnostics()
    found.info("E021", "note", Source("x.csv", 2), "a hint")
    assert found.items == [Diagnostic("E021", "note", Source("x.csv", 2), "a hint", "info")]
