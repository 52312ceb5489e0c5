"""Synthetic deals, generated in chunks so ten million rows need little memory.

Each chunk has its own random stream (seed, chunk number), so a chunk can be regenerated
alone and the data does not depend on how many chunks were generated before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pyarrow as pa

from teamquota.data.tables import DEALS, MONEY
from teamquota.synthetic.arrow import dates_from_days, day_number, decimal_from_cents, ids, pick
from teamquota.synthetic.organisation import Organisation

STAGES = pa.array(["Won", "Lost", "Engaging", "Prospecting"])
PRODUCTS = pa.array(["GTX Basic", "GTX Pro", "MG Special", "MG Advanced", "GTX Plus Pro",
                     "GTX Plus Basic", "GTK 500"])
PRODUCT_PRICE_FACTOR = np.array([0.3, 0.9, 0.1, 0.6, 1.0, 0.4, 3.0])
CURRENCY = pa.array(["USD"])
DEAL_ID_WIDTH = 9  # room for 999,999,999 deals


def deal_chunk(org: Organisation, chunk: int) -> pa.RecordBatch:
    spec = org.spec
    first = chunk * spec.chunk_rows
    rows = max(min(spec.chunk_rows, spec.deals - first), 0)
    return _deals(org, first, rows, np.random.default_rng([spec.seed, 1, chunk]))


def late_deals(org: Organisation, count: int, seed: int = 0) -> pa.Table:
    """``count`` more deals (ids after the data set's last), e.g. for incremental
    recalculation: same owners, stages and amounts as the rest, its own random stream."""
    rng = np.random.default_rng([org.spec.seed, 2, seed])
    return pa.Table.from_batches([_deals(org, org.spec.deals, count, rng)], schema=DEALS.schema)


def _deals(org: Organisation, first: int, rows: int, rng: np.random.Generator
           ) -> pa.RecordBatch:
    spec = org.spec
    cumulative = np.cumsum(org.weights)
    owner = np.minimum(np.searchsorted(cumulative, rng.random(rows) * cumulative[-1]),
                       spec.payees - 1)
    draw = rng.random(rows)
    stage = np.where(draw < spec.won_share, 0,
                     np.where(draw < spec.won_share + spec.lost_share, 1,
                              2 + (rng.random(rows) < 0.5)))
    closed = stage < 2
    product = rng.integers(0, len(PRODUCT_PRICE_FACTOR), rows)
    # lognormal around the mean deal size, scaled so the overall mean stays as specified
    factor = PRODUCT_PRICE_FACTOR[product] / PRODUCT_PRICE_FACTOR.mean()
    sigma = 0.8
    amount = spec.mean_deal_amount * factor * rng.lognormal(-sigma * sigma / 2, sigma, rows)
    cents = np.maximum(np.round(amount * 100).astype(np.int64), 100)
    has_amount = closed | (rng.random(rows) < 0.5)   # half the open deals carry no amount
    year_start = day_number(date(spec.year, 1, 1))
    year_days = day_number(date(spec.year + 1, 1, 1)) - year_start
    close = year_start + rng.integers(0, year_days, rows)
    account = rng.integers(1, spec.accounts + 1, rows)
    columns = {
        "deal_id": ids("D", np.arange(first + 1, first + rows + 1), DEAL_ID_WIDTH),
        "owner_id": pick(org.payee_ids, owner),
        "account": ids("A", account, 6),
        "product": pick(PRODUCTS, product),
        "amount": decimal_from_cents(cents, MONEY, has_amount),
        "currency": pick(CURRENCY, np.zeros(rows, dtype=np.int64)),
        "stage": pick(STAGES, stage),
        "close_date": dates_from_days(close, closed),
    }
    return pa.RecordBatch.from_pydict(columns, schema=DEALS.schema)


def deal_batches(org: Organisation) -> Iterator[pa.RecordBatch]:
    chunks = -(-org.spec.deals // org.spec.chunk_rows)
    for chunk in range(chunks):
        yield deal_chunk(org, chunk)
