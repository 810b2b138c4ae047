"""Negotiation briefs: the document a negotiator takes into the room.

Public API (``assistant.briefs.build``): ``build_brief(settings, payer, as_of=None,
formats=("md",), model_spec=None, embedder=None) -> Brief``, ``export_brief(settings,
brief_id, fmt) -> Path``, ``load_brief(settings, brief_id)``, ``list_briefs(settings,
payer=None)``. Modules: ``facts`` (analytics), ``evidence`` (clauses and notes from
retrieval), ``sections``/``deal`` (templated sections, prose in ``prompts/brief/``),
``narrative`` (model-written text, grounding-checked), ``charts``, ``render`` (Markdown,
HTML), ``export`` (DOCX, PDF), ``store``. Importing this package loads nothing heavy.
"""
