"""Warehouse loaders for structured files."""
