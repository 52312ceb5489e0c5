"""Seeded synthetic sales organisations at any scale, in teamquota's canonical tables.

Used by the benchmark (``bench/``), by tests that need more data than a hand-written case,
and by the engine's incremental-recalculation property tests::

    from teamquota.synthetic import SyntheticSpec, generate, write_dataset
    tables = generate(SyntheticSpec.tiny(deals=2_000))          # dict of Arrow tables
    data = dataset(SyntheticSpec.tiny(deals=2_000))             # a Dataset for calculate()
    late = late_deals(build_organisation(spec), 5)              # 5 more deals, new ids
    paths = write_dataset(SyntheticSpec(deals=10_000_000), "out/10M")   # Parquet + CSV

The same spec (including ``seed``) always gives the same rows.
"""

from teamquota.synthetic.deals import late_deals
from teamquota.synthetic.files import write_dataset
from teamquota.synthetic.organisation import Organisation, build_organisation
from teamquota.synthetic.spec import SyntheticSpec
from teamquota.synthetic.tables import dataset, generate

__all__ = ["Organisation", "SyntheticSpec", "build_organisation", "dataset", "generate",
           "late_deals", "write_dataset"]
