"""A whole synthetic data set in memory, as canonical Arrow tables (small sizes)."""

from __future__ import annotations

import pyarrow as pa

from teamquota.data.dataset import Dataset
from teamquota.data.tables import DEALS
from teamquota.synthetic.deals import deal_batches
from teamquota.synthetic.organisation import build_organisation
from teamquota.synthetic.spec import SyntheticSpec


def generate(spec: SyntheticSpec) -> dict[str, pa.Table]:
    """payees, teams, memberships, deals and targets; for millions of deals use
    :func:`teamquota.synthetic.write_dataset`, which streams deals to disk."""
    org = build_organisation(spec)
    return {
        "payees": org.payees(),
        "teams": org.teams(),
        "memberships": org.memberships(),
        "deals": pa.Table.from_batches(list(deal_batches(org)), schema=DEALS.schema),
        "targets": org.targets(),
    }


def dataset(spec: SyntheticSpec) -> Dataset:
    """:func:`generate` as a :class:`~teamquota.data.dataset.Dataset`, ready for
    ``teamquota.calculate``."""
    tables = generate(spec)
    return Dataset(tables, {name: f"<synthetic {name}>" for name in tables})
