"""The calculation engine: credit -> measure -> target -> pay -> explain, in Ibis.

Heavy work (crediting joins and aggregation over deals) runs as Ibis expressions on the
chosen backend; the small per-payee finishing arithmetic (ratios, curves, pools, caps,
draws) runs in exact Decimal so every backend gives the same cents.
"""
