"""CLI commands from app.py; create_app registers them on app.cli."""

import click


@click.option("--name", default="world")
def greet(name):
    """Say hello."""
    click.echo(f"hello {name}")
