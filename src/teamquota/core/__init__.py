"""Dependency-free foundations: exact money, calendar periods and diagnostics."""
