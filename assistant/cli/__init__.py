"""The ``parley`` command.

Each command group lives in its own module in this package and exposes
``register(app)``; modules import heavy libraries inside the command functions so that
``parley --help`` stays fast. ``main()`` turns every error into one line and an exit code.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import pkgutil
import sys
import uuid
from pathlib import Path
from typing import Annotated

import click
import typer

from assistant.errors import ParleyError

log = logging.getLogger("parley")


def create_cli() -> typer.Typer:
    """Build the Typer app and register every command module of this package."""
    app = typer.Typer(
        name="parley",
        help=(
            "Parley answers questions about your payer contracts, rates, remittances and "
            "denials, and drafts negotiation briefs. Start with 'parley demo'."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        ctx: typer.Context,
        data_dir: Annotated[
            Path | None,
            typer.Option(help="Folder where Parley keeps its stores (default ./.parley)."),
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option(help="Pretend today is this date (YYYY-MM-DD) for deadlines."),
        ] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
    ) -> None:
        from assistant.settings import get_settings

        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        overrides: dict[str, object] = {}
        if data_dir is not None:
            overrides["data_dir"] = data_dir
        if as_of is not None:
            overrides["as_of"] = parse_date_arg(as_of, "--as-of")
        ctx.obj = get_settings(**overrides)

    package_dir = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package_dir)]), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    return app


def parse_date_arg(value: str, name: str) -> dt.date:
    """Parse a YYYY-MM-DD command-line value or raise a one-line InputError."""
    from assistant.errors import InputError
    from assistant.periods import check_date

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} must be a date like 2026-11-27, not '{value}'") from None
    return check_date(day, name)


def _click_exceptions() -> list[object]:
    """click's exception modules: the real one and the copy vendored by newer Typer."""
    modules: list[object] = [click.exceptions]
    try:
        from typer._click import exceptions as vendored  # type: ignore[import-not-found]

        modules.append(vendored)
    except ImportError:
        pass
    return modules


def _classes(name: str) -> tuple[type[BaseException], ...]:
    return tuple(getattr(m, name) for m in _click_exceptions() if hasattr(m, name))


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, one-line errors, never a traceback."""
    usage_error, abort, exit_, click_exc = (
        _classes("UsageError"), _classes("Abort"), _classes("Exit"), _classes("ClickException"))
    command = typer.main.get_command(create_cli())
    try:
        result = command.main(args=argv, prog_name="parley", standalone_mode=False)
    except usage_error as exc:
        message = exc.format_message().replace("\n", " ")  # type: ignore[attr-defined]
        print(f"parley: {message} (see 'parley --help')", file=sys.stderr)
        return 2
    except abort:
        print("parley: aborted", file=sys.stderr)
        return 130
    except exit_ as exc:
        return int(exc.exit_code)  # type: ignore[attr-defined]
    except click_exc as exc:
        print(f"parley: {exc.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
        return int(exc.exit_code)  # type: ignore[attr-defined]
    except ParleyError as exc:
        print(f"parley: {exc.user_message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("parley: interrupted", file=sys.stderr)
        return 130
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.debug("unexpected error ref=%s", ref, exc_info=True)
        print(
            f"parley: unexpected internal error (ref {ref}); rerun with -v for details",
            file=sys.stderr,
        )
        return 1
    return int(result) if isinstance(result, int) else 0


def settings_from(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """The Settings built by the root callback."""
    return ctx.find_root().obj


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
