"""The stable P-codes of plan diagnostics and what each one means (docs/diagnostics.md).

Codes never change meaning once released; a new problem gets a new code.
"""

from __future__ import annotations

PLAN_CODES: dict[str, str] = {
    "P000": "the plan file cannot be read (missing, unreadable, not UTF-8)",
    "P001": "not valid YAML (indentation, quoting, tabs), nested too deeply, or expanding "
            "through aliases to too many values",
    "P002": "a key appears twice in the same mapping",
    "P010": "a value has the wrong type or is out of range or not an allowed choice",
    "P011": "an unknown key (the hint suggests the closest allowed key and lists them all)",
    "P012": "a reference to a component id that the plan does not define",
    "P013": "the components' weights do not sum to exactly 1",
    "P014": "curve points or tier thresholds are not in increasing order",
    "P015": "a required key is missing",
    "P016": "two components have the same id",
    "P017": "keys that cannot be combined, or a combination that is incomplete",
    "P018": "a target rule that cannot work: sum_of_members/from_team with the wrong scope, "
            "or an 'of' component of the wrong scope",
    "P019": "accumulate: ytd on a payout kind where year to date means nothing of its own: "
            "a SPIF, or per-deal tiers against attainment",
}
