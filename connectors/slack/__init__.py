"""Slack Bolt app."""
