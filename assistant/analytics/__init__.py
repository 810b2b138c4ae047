"""Warehouse analytics: one module per function, typed params and results.

Each function takes a (read-only) DuckDB connection and a pydantic params object and
returns an ``AnalyticsResult`` subclass carrying ``function``, ``filters`` and
``row_count`` so an answer can cite the figure's source:

- ``rates.compare_rates(conn, RateParams) -> RateComparison``
- ``variance.reimbursement_variance(conn, VarianceParams) -> VarianceResult``
- ``denials.denial_analysis(conn, DenialParams) -> DenialResult``
- ``timeliness.payment_timeliness(conn, TimelinessParams) -> TimelinessResult``
- ``mix.payer_mix(conn, MixParams) -> MixResult``
- ``walkaway.walkaway_impact(conn, WalkawayParams) -> WalkawayResult``
- ``counteroffer.model_counteroffer(conn, CounterofferParams) -> CounterofferResult``
- ``deadlines.contract_deadlines(conn, DeadlineParams) -> DeadlineResult``

Helpers: ``assistant.periods.resolve_period(text, as_of) -> Period``;
``vocabulary.Vocabulary.load(conn)`` (payers, codes, fuzzy resolution).
Modules are imported on use; importing this package opens nothing.
"""
