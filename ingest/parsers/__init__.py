"""Document parsers."""
