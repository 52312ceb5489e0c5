"""Input data: canonical table specs, loading from CSV/Parquet with row diagnostics, column
maps for CRM exports, and the shipped demo (Maven Analytics' CRM Sales Opportunities)."""

from teamquota.data.dataset import Dataset
from teamquota.data.tables import TABLES

__all__ = ["TABLES", "Dataset"]
