"""The content domain's services, moved from legacy/app.py: its own helpers, and the functions other domains may call."""

import json
import re
from urllib.parse import urlparse

import feedparser
import requests
from flask import current_app, url_for

from ..shared.helpers import APIError, iso, utcnow
from ..shared.models import ActivityLog, ExcludedWord
from ..shared.services import text_processing

# ---- text processing ------------------------------------------------------------------------

MAX_TEXT_LENGTH = 20000
MAX_TRANSLATE_WORDS = 50
TRANSLATE_PER_MINUTE = 30


def _known_and_excluded(user):
    """Texts of the user's vocabulary and excluded words, for the unknown-word extraction."""
    known = set()
    for uv in user.vocabulary.all():
        # one lazy load of the word per vocabulary entry
        known.add(uv.word.text)
    excluded = set(e.word_text for e in ExcludedWord.query.filter_by(user_id=user.id).all())
    return known, excluded


def _submission_dict(sub, with_content=False):
    data = {
        "id": sub.id,
        "title": sub.title,
        "word_count": sub.word_count,
        "unknown_count": sub.unknown_count,
        "source_url": sub.source_url,
        "created_at": iso(sub.created_at),
        "url": url_for("content.text_detail", submission_id=sub.id),
    }
    if with_content:
        data["content"] = sub.content
    else:
        data["preview"] = (sub.content or "")[:120]
    return data


# ---- gamification, news and images (part B) ----

# ---- news -------------------------------------------------------------------------------------
#
# The news reader (2021): German news from an RSS feed, the full article fetched from the news
# site and cleaned up, then "which words of this article don't I know yet". The feed is fetched
# on every request; the plan to cache it in Redis is still on the roadmap.

NEWS_USER_AGENT = "VocabMaster/2.7 (+https://vocabmaster.example/news-reader)"
NEWS_DEFAULT_LIMIT = 20
NEWS_MAX_LIMIT = 50
ARTICLE_WORDS_DEFAULT_LIMIT = 50
ARTICLE_WORDS_MAX_LIMIT = 200

# What the last feed fetch saw, for the admin refresh endpoint. Per process, like the other
# module-level state in this file.
NEWS_FEED_STATE = {
    "fetches": 0,
    "last_fetched_at": None,
    "last_item_count": 0,
    "last_error": None,
    "feed_title": None,
}

TAG_RE = re.compile(r"<[^>]+>")


def _strip_tags(text):
    if not text:
        return ""
    return re.sub(r"\s+", " ", TAG_RE.sub(" ", text)).strip()


def fetch_news_feed():
    """Download and parse the RSS feed. Returns (feed title, list of item dicts)."""
    feed_url = current_app.config["NEWS_FEED_URL"]
    print(f"[news] fetching feed {feed_url}")
    NEWS_FEED_STATE["fetches"] += 1
    try:
        # no timeout: the feed "is always fast" (it was, until it wasn't)
        resp = requests.get(feed_url, headers={"User-Agent": NEWS_USER_AGENT})
    except requests.RequestException as exc:
        NEWS_FEED_STATE["last_error"] = str(exc)
        current_app.logger.error("news feed %s unreachable: %s", feed_url, exc)
        raise APIError("News feed unavailable", 502, {"detail": str(exc)})
    if resp.status_code != 200:
        NEWS_FEED_STATE["last_error"] = f"HTTP {resp.status_code}"
        raise APIError("News feed unavailable", 502, {"status": resp.status_code})

    parsed = feedparser.parse(resp.content)
    if parsed.bozo and not parsed.entries:
        NEWS_FEED_STATE["last_error"] = str(parsed.get("bozo_exception"))
        raise APIError("News feed could not be parsed", 502)

    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        items.append(
            {
                "title": _strip_tags(entry.get("title", "")),
                "link": link,
                "guid": entry.get("id") or link,
                "summary": _strip_tags(entry.get("summary", "")),
                "published": entry.get("published"),
            }
        )
    feed_title = parsed.feed.get("title", "")
    NEWS_FEED_STATE.update(
        last_fetched_at=iso(utcnow()),
        last_item_count=len(items),
        last_error=None,
        feed_title=feed_title,
    )
    return feed_title, items


def download_article(url):
    """Fetch an article page and reduce it to title + text. Synchronous, no timeout."""
    print(f"[news] downloading article {url}")
    resp = requests.get(url, headers={"User-Agent": NEWS_USER_AGENT})
    if resp.status_code != 200:
        raise APIError("Could not fetch the article", 502, {"status": resp.status_code, "url": url})
    resp.encoding = resp.encoding or "utf-8"
    return text_processing.clean_article_html(resp.text)


def _valid_article_url(url):
    parsed = urlparse(url or "")
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def serialize_article(article, include_content=False):
    content = article.content or ""
    data = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "summary": article.summary,
        "published": article.published,
        "fetched_at": iso(article.fetched_at),
        "has_content": bool(article.content),
        "word_count": len(text_processing.tokenize(content)),
        "links": {
            "self": url_for("content.get_news_article", article_id=article.id),
            "words": url_for("content.news_article_words", article_id=article.id),
        },
    }
    if include_content:
        data["content"] = content
        data["paragraphs"] = [p for p in content.split("\n\n") if p.strip()]
    return data


def _article_already_read(user, article):
    marker = json.dumps({"article_id": article.id})
    for entry in ActivityLog.query.filter_by(user_id=user.id, activity_type="article_read").all():
        if entry.details == marker:
            return True
    return False
