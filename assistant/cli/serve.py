"""``parley serve`` (HTTP API + Slack events), ``parley slack`` (Socket Mode) and
``parley keys add`` (API keys)."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import settings_from


def register(app: typer.Typer) -> None:
    """Add serve, slack and the keys group."""

    @app.command()
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    ) -> None:
        """Run the HTTP API (docs at /docs) and, when Slack is configured, /slack/events."""
        import logging

        import uvicorn

        from connectors.http.app import create_app
        from connectors.http.errors import configure_logging

        configure_logging(logging.INFO)
        uvicorn.run(
            create_app(settings_from(ctx)),
            host=host,
            port=port,
            log_config=None,
            proxy_headers=False,
        )

    @app.command()
    def slack(ctx: typer.Context) -> None:
        """Connect to Slack in Socket Mode (no public URL needed; needs PARLEY_SLACK_APP_TOKEN)."""
        import logging

        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from assistant.errors import ConfigError
        from connectors.http.errors import configure_logging
        from connectors.slack.app import create_slack_app

        settings = settings_from(ctx)
        if settings.slack_app_token is None:
            raise ConfigError("Set PARLEY_SLACK_APP_TOKEN (xapp-…) to use Socket Mode.")
        configure_logging(logging.INFO)
        bolt = create_slack_app(settings, socket_mode=True)
        typer.echo("Parley is connected to Slack (Socket Mode). Ctrl-C stops.")
        SocketModeHandler(bolt, settings.slack_app_token.get_secret_value()).start()

    keys = typer.Typer(help="Manage HTTP API keys.", no_args_is_help=True)
    app.add_typer(keys, name="keys")

    @keys.command("add")
    def keys_add(
        ctx: typer.Context,
        user: Annotated[str, typer.Argument(help="Who the key belongs to.")],
        role: Annotated[str, typer.Option(help="reader, negotiator or admin.")] = "reader",
        payer: Annotated[
            list[str] | None,
            typer.Option(help="Payer id this key may see (repeat; default: all payers)."),
        ] = None,
    ) -> None:
        """Create an API key; it is printed once and only its SHA-256 is stored."""
        from connectors.http.auth import KeyStore, keys_file

        settings = settings_from(ctx)
        store = KeyStore(keys_file(settings))
        key = store.add(user, role, list(payer) if payer else None)
        typer.echo(key)
        typer.echo(
            f"(stored the key's SHA-256 for {user} in {store.path}; "
            "this is the only time the key is shown)",
            err=True,
        )
