"""How a plan's YAML becomes values: the plan dialect of :mod:`.yamlsource`.

Numbers become exact Decimals from their source text (``0.6`` is six tenths, never a
float), dates become dates. Codes: P000 the file cannot be read, P001 syntax (or past the
safety limits), P002 duplicate keys, P010 keys that are not text and bad ``<<`` merges.
Reading and positions themselves live in :mod:`.yamlsource`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from teamquota.plan.yamlsource import YamlDialect


def scalar_value(node: yaml.ScalarNode) -> Any:
    tag, text = node.tag, node.value
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            number = Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text  # YAML 1.1 sexagesimal/hex forms: left as text, reported as not a number
        return number if number.is_finite() else text
    if tag.endswith(":bool"):
        return text.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    if tag.endswith(":timestamp"):
        try:
            value = yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
        except ValueError:  # 2017-02-30: left as text, reported (P010) as not a date
            return text
        return value.date() if isinstance(value, datetime) else value
    return text


PLAN_YAML = YamlDialect(
    noun="plan", file_noun="plan file", read_code="P000", syntax_code="P001",
    duplicate_code="P002", structure_code="P010",
    scalar=scalar_value,
    merge_hint="e.g. <<: *base, where '- &base' marks an earlier component")
