"""CLI commands from legacy/app.py; create_app registers them on app.cli."""

import time

import click
from flask import current_app
from werkzeug.security import generate_password_hash

from .shared.models import User, db

# ---- CLI --------------------------------------------------------------------------------------


@click.option("--users", default=50, show_default=True, help="Number of regular users.")
@click.option("--categories", default=40, show_default=True, help="Number of categories.")
@click.option("--words-per-category", default=50, show_default=True)
@click.option("--seed", "seed_value", default=42, show_default=True, help="Random seed.")
@click.option("--drop", is_flag=True, help="Drop all tables first.")
def seed_command(users, categories, words_per_category, seed_value, drop):
    """Fill the database with deterministic demo data."""
    from .shared.seed_data import seed_database

    if drop:
        click.echo("Dropping all tables...")
        db.drop_all()
    db.create_all()
    started = time.time()
    counts = seed_database(
        db, users=users, categories=categories, words_per_category=words_per_category, seed=seed_value
    )
    for name in sorted(counts):
        click.echo(f"{name}: {counts[name]}")
    click.echo(f"Seeded in {time.time() - started:.1f}s")


@click.argument("username")
@click.argument("password")
@click.option("--email", default=None)
def create_admin_command(username, password, email):
    """Create an admin account (or promote an existing user)."""
    user = User.query.filter_by(username=username).first()
    if user is None:
        user = User(
            username=username,
            email=email or f"{username}@example.com",
            password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"]),
        )
        db.session.add(user)
    user.is_admin = True
    db.session.commit()
    click.echo(f"{username} is an admin")
