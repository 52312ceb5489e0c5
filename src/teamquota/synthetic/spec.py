"""What a synthetic data set looks like: sizes, shares and the seed."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SyntheticSpec:
    """Sizes and shape of a synthetic sales organisation for one calendar ``year``.

    ``teams`` leaf teams sit under ``regions`` region teams; every payee belongs to one leaf
    team from before the year, and ``move_share`` of them move to another team once during
    it (membership A ends on day d, membership B starts on d+1). Deals are ``won_share``
    Won, ``lost_share`` Lost, the rest open (no close date). Targets: one per payee per
    quarter (measure ``personal``) and one per leaf team per quarter (measure ``team``),
    set around the expected bookings so attainments spread across every curve segment;
    ``missing_target_share`` of payee-quarters get no personal target.
    """

    deals: int
    payees: int = 10_000
    teams: int = 1_000
    regions: int = 20
    year: int = 2017
    move_share: float = 0.05
    won_share: float = 0.5
    lost_share: float = 0.3
    accounts: int = 100_000
    mean_deal_amount: int = 20_000
    missing_target_share: float = 0.0
    seed: int = 2017
    # Rows generated (and written) at a time; part of the data's identity, like the seed.
    chunk_rows: int = 1_000_000

    @classmethod
    def tiny(cls, deals: int = 2_000, seed: int = 2017, **overrides: object) -> SyntheticSpec:
        """A small organisation (50 payees, 6 teams in 2 regions) for fast tests."""
        base = cls(deals=deals, payees=50, teams=6, regions=2, accounts=500,
                   move_share=0.2, seed=seed, chunk_rows=1_000)
        return replace(base, **overrides)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if self.deals < 0 or self.payees < 1 or self.teams < 2 or self.regions < 1:
            raise ValueError("a synthetic spec needs deals >= 0, payees >= 1, teams >= 2 and "
                             "regions >= 1")
        if not 0 <= self.won_share + self.lost_share <= 1:
            raise ValueError("won_share + lost_share must be between 0 and 1")
