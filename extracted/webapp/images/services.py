"""The images domain's services, moved from legacy/app.py: its own helpers, and the functions other domains may call."""

import re

import redis
import requests
from flask import current_app, url_for

from ..extensions import redis_client
from ..shared.helpers import APIError, utcnow
from ..shared.models import WordImage, db


def redis_get(key):
    try:
        return redis_client.get(key)
    except redis.RedisError as exc:
        current_app.logger.warning("redis get %s failed: %s", key, exc)
        return None


# ---- images -----------------------------------------------------------------------------------
#
# Word pictures from Unsplash. The first request for a word searches Unsplash and stores the
# first hit in word_images; later requests read the table. The Unsplash call happens inside
# the request, so a cold word costs a round trip to the image API.

IMAGE_SEARCH_PER_PAGE = 10
IMAGE_SEARCH_MAX_PER_PAGE = 30
IMAGE_SEARCH_MAX_PAGE = 50
IMAGE_PREFETCH_MAX_WORDS = 200


# WordImage has a column called "query" (the search terms), which hides Flask-SQLAlchemy's
# WordImage.query property: always go through db.session.query(WordImage) here.

# Counters for /api/admin/images/stats (per worker, reset on restart).
IMAGE_STATS = {"upstream_calls": 0, "upstream_errors": 0, "db_hits": 0, "stored": 0, "cleared": 0}


def unsplash_search(query, page=1, per_page=IMAGE_SEARCH_PER_PAGE, timeout=None):
    """Call the Unsplash search API; returns its JSON (total, total_pages, results)."""
    url = current_app.config["UNSPLASH_BASE_URL"].rstrip("/") + "/search/photos"
    headers = {
        "Authorization": f"Client-ID {current_app.config['UNSPLASH_ACCESS_KEY']}",
        "Accept-Version": "v1",
    }
    params = {"query": query, "page": page, "per_page": per_page}
    print(f"[images] unsplash search {query!r} page={page} per_page={per_page}")
    IMAGE_STATS["upstream_calls"] += 1
    try:
        resp = requests.get(url, params=params, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        IMAGE_STATS["upstream_errors"] += 1
        current_app.logger.error("unsplash search %r failed: %s", query, exc)
        raise APIError("Image service unavailable", 502, {"detail": str(exc)})
    if resp.status_code != 200:
        IMAGE_STATS["upstream_errors"] += 1
        current_app.logger.error("unsplash search %r: HTTP %s", query, resp.status_code)
        raise APIError("Image service error", 502, {"status": resp.status_code})
    return resp.json()


def image_query_for(word):
    """Photos are searched in English: the translation if we have one, else the word itself."""
    text = word.translation or word.text or ""
    # "the house, the home" -> "house"
    first = re.split(r"[,;/(]", text)[0].strip()
    first = re.sub(r"^(the|a|an|to)\s+", "", first, flags=re.I)
    return first or word.text


def serialize_photo(photo):
    urls = photo.get("urls") or {}
    return {
        "id": photo.get("id"),
        "description": photo.get("alt_description") or photo.get("description"),
        "url": urls.get("regular") or urls.get("full") or urls.get("raw"),
        "thumb_url": urls.get("thumb") or urls.get("small"),
        "full_url": urls.get("full"),
        "width": photo.get("width"),
        "height": photo.get("height"),
        "photographer": (photo.get("user") or {}).get("name"),
    }


def store_word_image(word, photo, query):
    urls = photo.get("urls") or {}
    image = WordImage(
        word_id=word.id,
        url=urls.get("regular") or urls.get("full") or urls.get("raw"),
        thumb_url=urls.get("thumb") or urls.get("small"),
        photographer=(photo.get("user") or {}).get("name"),
        source_id=photo.get("id"),
        query=query,
        created_at=utcnow(),
    )
    db.session.add(image)
    IMAGE_STATS["stored"] += 1
    return image


def serialize_word_image(image, word, cached):
    return {
        "word": {"id": word.id, "text": word.text, "translation": word.translation},
        "image": image.to_dict(),
        "query": image.query,
        "cached": cached,
        "links": {
            "self": url_for("images.word_image", word_id=word.id),
            "refresh": url_for("images.refresh_word_image", word_id=word.id),
        },
    }
