"""``parley ask`` and ``parley chat``: questions from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import settings_from


def register(app: typer.Typer) -> None:
    """Add the ask and chat commands."""

    @app.command()
    def ask(
        ctx: typer.Context,
        question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
        payer: Annotated[str | None, typer.Option(help="Only look at this payer.")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="Print the answer object as JSON.")] = False,
        model: Annotated[
            str | None,
            typer.Option(help="Chat model, e.g. 'offline' (default) or 'openai:gpt-4o-mini'."),
        ] = None,
    ) -> None:
        """Ask one question about contracts, rates, payments, denials or deadlines.

        Example: parley ask "What's Keystone's timely filing limit?"
        """
        from assistant.embeddings import create_embedder, load_in_background

        settings = settings_from(ctx)
        # the model loads on a thread while the rest imports (the first import is the slowest)
        embedder = load_in_background(create_embedder(settings))
        try:
            from rich.console import Console
            from rich.markdown import Markdown

            from assistant.factory import create_assistant
            from connectors.redact import public_answer

            # one turn, never continued: no conversation memory (offline: no LangGraph)
            assistant = create_assistant(settings, model_spec=model, embedder=embedder,
                                         one_shot=True)
            answer = public_answer(assistant.ask(question, payer=payer))  # file names, not paths
        finally:
            getattr(embedder, "wait", lambda: None)()
        if json_out:
            typer.echo(answer.model_dump_json(indent=2))
        else:
            Console().print(Markdown(answer.to_markdown()))

    @app.command()
    def chat(
        ctx: typer.Context,
        model: Annotated[str | None, typer.Option(help="Chat model (default: offline).")] = None,
        conversation: Annotated[
            str | None, typer.Option(help="Conversation id to continue (default: a new one).")
        ] = None,
    ) -> None:
        """Interactive session with memory: follow-up questions keep the context. Ctrl-D quits."""
        import uuid

        from rich.console import Console
        from rich.markdown import Markdown

        from assistant.errors import ParleyError
        from assistant.factory import create_assistant

        console = Console()
        assistant = create_assistant(settings_from(ctx), model_spec=model)
        thread = conversation or f"cli-{uuid.uuid4().hex[:8]}"
        console.print(f"Parley chat (conversation {thread}). Ask away; Ctrl-D to quit.")
        while True:
            try:
                question = console.input("[bold]you>[/bold] ")
            except EOFError:
                break
            if not question.strip():
                continue
            try:
                answer = assistant.ask(question, conversation_id=thread)
            except ParleyError as exc:
                console.print(f"parley: {exc.user_message}")
                continue
            console.print(Markdown(answer.to_markdown()))
