"""decompose: migrate a Flask monolith into blueprints and services, safely and measurably."""

__version__ = "0.1.0"
