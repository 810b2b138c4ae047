"""Evaluation suites, metrics and runner."""
