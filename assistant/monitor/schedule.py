"""Run the monitor on a schedule inside the server: an APScheduler BackgroundScheduler with
a cron trigger from ``settings.monitor_cron`` (e.g. ``0 7 * * 1-5``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from assistant.errors import ConfigError
from assistant.settings import Settings

log = logging.getLogger(__name__)
JOB_ID = "parley_monitor"


def cron_trigger(expr: str | None) -> Any:
    """A CronTrigger from a crontab expression, or a ConfigError naming the setting."""
    from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

    if not expr or not expr.strip():
        raise ConfigError("Set PARLEY_MONITOR_CRON (e.g. '0 7 * * 1-5') to schedule the monitor.")
    try:
        return CronTrigger.from_crontab(expr.strip(), timezone="UTC")
    except ValueError:
        raise ConfigError(f"PARLEY_MONITOR_CRON '{expr}' is not a valid crontab "
                          "expression (five fields: minute hour day month weekday).") from None


def start_scheduler(settings: Settings, job: Callable[[], Any], start: bool = True) -> Any:
    """Schedule ``job`` (e.g. ``lambda: monitor_and_post(settings)``) by
    ``settings.monitor_cron``; returns the started BackgroundScheduler (call
    ``.shutdown()`` on server stop). One instance at a time; a failing run is logged."""
    from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

    trigger = cron_trigger(settings.monitor_cron)

    def _safe() -> None:
        try:
            job()
        except Exception:
            log.exception("scheduled monitor run failed")

    sched = BackgroundScheduler(timezone="UTC")
    sched.add_job(_safe, trigger, id=JOB_ID, max_instances=1, coalesce=True,
                  replace_existing=True)
    if start:
        sched.start()
    return sched


def monitor_and_post(settings: Settings, client: Any | None = None) -> Any:
    """One scheduled run: monitor, then post the digest when Slack is configured."""
    from assistant.monitor.detect import run_monitor
    from assistant.monitor.digest import create_web_client, post_digest

    report = run_monitor(settings)
    if client is None and settings.slack_bot_token and settings.slack_digest_channel:
        client = create_web_client(settings)
    if client is not None:
        post_digest(settings, report, client)
    return report
