"""Parley's prompt files (Markdown and Jinja templates, JSON phrasing tables).

A package only so that a wheel ships them as package data; ``assistant.prompts`` finds and loads them.
"""
