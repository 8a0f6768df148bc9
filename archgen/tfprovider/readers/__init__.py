"""Readers of data sources beyond the core ones, one module per area (see datasources.py)."""
