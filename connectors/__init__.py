"""Edges: HTTP and Slack."""
