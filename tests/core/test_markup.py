"""Chart labels from data: markup characters become entities, everything else stays."""

import pytest

from teamquota.core.markup import chart_label


@pytest.mark.parametrize(("value", "label"), [
    ("<a href='x'>Ann</a>", "&lt;a href='x'&gt;Ann&lt;/a&gt;"),
    ("R&D", "R&amp;D"),
    ("Ann", "Ann"),
    (None, ""),
    (12, "12"),
])
def test_chart_label__escapes_markup(value, label):
    assert chart_label(value) == label
