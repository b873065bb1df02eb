"""Lineage of published numbers: from a value back to the models, loads, files and rows behind it."""
