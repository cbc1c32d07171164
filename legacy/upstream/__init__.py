"""A local stand-in for the external services production called: OpenAI (chat completions,
image generations), Unsplash search, an RSS news feed and the news sites' article pages.

Content is deterministic (derived from the request), latency is configurable and defaults to
what production saw. See server.py.
"""
from legacy.upstream.server import DEFAULT_LATENCY_MS, start_in_thread

__all__ = ["DEFAULT_LATENCY_MS", "start_in_thread"]
