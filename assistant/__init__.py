"""Parley: a negotiation copilot for medical practices."""

__version__ = "0.1.0"
