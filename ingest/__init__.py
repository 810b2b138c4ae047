"""Ingestion: parse sources, chunk, tag, embed, load."""
