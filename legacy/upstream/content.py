"""Deterministic response bodies for the local upstream.

Everything here is a pure function of the request, so two runs (and two test sessions) see the
same translations, photos and articles.
"""
import base64
import hashlib
import json
import math
import re
import struct
import zlib
from datetime import datetime, timedelta, timezone

from legacy.wordlists import (
    ADJECTIVES,
    CATEGORIES,
    COMPOUND_HEADS,
    VERBS,
    lexicon,
    parse_pairs,
)

FIXED_CREATED = 1764288000  # 2025-11-28T00:00:00Z; responses never depend on the clock
FEED_BASE_DATE = datetime(2026, 11, 27, 18, 0, tzinfo=timezone.utc)

_DE_EN = lexicon()
_EN_DE = {}
for _spec in CATEGORIES:
    for _de, _en in parse_pairs(_spec[4]):
        _EN_DE.setdefault(_en.lower(), _de)  # keeps the German capitalisation of nouns
for _de, _en in ADJECTIVES + VERBS:
    _EN_DE.setdefault(_en.lower(), _de)

_FALLBACK_EN = [
    "thing", "place", "idea", "moment", "way", "part", "side", "story", "change", "matter",
    "point", "reason", "piece", "kind", "sign", "step", "view", "voice", "sense", "case",
]
_FALLBACK_DE = [
    "Ding", "Ort", "Idee", "Moment", "Weg", "Teil", "Seite", "Geschichte", "Wandel", "Sache",
    "Punkt", "Grund", "Stück", "Art", "Zeichen", "Schritt", "Blick", "Stimme", "Sinn", "Fall",
]
_PHOTOGRAPHERS = [
    "Anna Berger", "Lukas Wagner", "Mia Schulz", "Jonas Becker", "Emma Hoffmann", "Leon Koch",
    "Sofia Richter", "Paul Klein", "Hannah Wolf", "Felix Neumann", "Lea Schwarz", "Noah Braun",
]


def digest(*parts):
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def _pick(seq, *parts):
    return seq[int(digest(*parts)[:8], 16) % len(seq)]


# --- chat completions -----------------------------------------------------------------------

def translate_word(word, target="en"):
    key = word.strip().lower()
    if target == "en":
        if key in _DE_EN:
            return _DE_EN[key]
        for head_de, head_en in COMPOUND_HEADS:
            if key.endswith(head_de) and key[: -len(head_de)] in _DE_EN:
                return f"{_DE_EN[key[: -len(head_de)]]} {head_en}"
        return _pick(_FALLBACK_EN, "en", key)
    if key in _EN_DE:
        return _EN_DE[key]
    return _pick(_FALLBACK_DE, "de", key)


_SENTENCE_TEMPLATES = [
    ("Ich sehe jeden Tag {w}.", "I see {e} every day."),
    ("Wo ist {w}?", "Where is {e}?"),
    ("Wir sprechen heute über {w}.", "Today we are talking about {e}."),
    ("{W} ist wichtiger, als du denkst.", "{E} is more important than you think."),
    ("Mein Bruder mag {w} sehr.", "My brother likes {e} a lot."),
    ("Hast du {w} schon gesehen?", "Have you seen {e} yet?"),
    ("Ohne {w} geht es nicht.", "It does not work without {e}."),
    ("Gestern habe ich lange über {w} nachgedacht.", "Yesterday I thought about {e} for a long time."),
]


def example_sentences(word, n):
    english = translate_word(word, "en")
    start = int(digest("sentences", word.lower())[:8], 16)
    out = []
    for i in range(max(1, min(n, 10))):
        de, en = _SENTENCE_TEMPLATES[(start + i) % len(_SENTENCE_TEMPLATES)]
        out.append(
            {
                "sentence": de.format(w=word, W=word[:1].upper() + word[1:]),
                "translation": en.format(e=f"the {english}", E=f"The {english}"),
            }
        )
    return out


_REPLIES = [
    "Gute Frage! Im Deutschen steht das Verb im Hauptsatz an zweiter Stelle.",
    "Practice a little every day: ten minutes beat an hour once a week.",
    "Das Wort wird meistens im Alltag benutzt, seltener in der Schriftsprache.",
    "Try to use the new word in a sentence about your own day.",
    "Nomen schreibt man im Deutschen immer groß.",
]


def _words_from_prompt(text):
    for match in re.finditer(r"\[[^\[\]]*\]", text, re.S):
        try:
            value = json.loads(match.group(0))
        except ValueError:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    m = re.search(r"words?\s*:\s*(.+)", text, re.I | re.S)
    if m:
        return [w.strip(" .\"'") for w in re.split(r"[,\n]", m.group(1)) if w.strip(" .\"'")]
    return []


def chat_reply(messages):
    """The assistant's message content for a list of chat messages."""
    user_text = "\n".join(
        str(m.get("content", "")) for m in messages if isinstance(m, dict) and m.get("role") != "system"
    )
    lower = user_text.lower()
    if "example sentence" in lower:
        quoted = re.search(r"[\"“„']([^\"“”„']+)[\"”“']", user_text)
        word = quoted.group(1) if quoted else (user_text.split() or ["Wort"])[-1]
        n_match = re.search(r"\b(\d+)\s+(?:short\s+)?(?:\w+\s+)?example", lower)
        n = int(n_match.group(1)) if n_match else 3
        return json.dumps(example_sentences(word, n), ensure_ascii=False)
    if "translate" in lower:
        words = _words_from_prompt(user_text)
        target = "de" if re.search(r"\bto german\b|\binto german\b", lower) else "en"
        return json.dumps({w: translate_word(w, target) for w in words}, ensure_ascii=False)
    return _pick(_REPLIES, "reply", user_text)


def _tokens(text):
    return max(1, len(str(text).split()))


def chat_completion(body):
    messages = body.get("messages") or []
    content = chat_reply(messages)
    prompt_tokens = sum(_tokens(m.get("content", "")) for m in messages if isinstance(m, dict))
    completion_tokens = _tokens(content)
    return {
        "id": "chatcmpl-" + digest(json.dumps(body, sort_keys=True))[:24],
        "object": "chat.completion",
        "created": FIXED_CREATED,
        "model": body.get("model", "gpt-3.5-turbo"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


# --- images -----------------------------------------------------------------------------------

def png_bytes(seed, size=16):
    """A small solid-colour PNG whose colour comes from the seed."""
    h = digest("png", seed)
    r, g, b = int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    row = b"\x00" + bytes([r, g, b]) * size
    raw = row * size

    def chunk(kind, data):
        payload = kind + data
        return struct.pack(">I", len(data)) + payload + struct.pack(">I", zlib.crc32(payload) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def image_generation(body, base):
    prompt = str(body.get("prompt", ""))
    n = max(1, min(int(body.get("n", 1) or 1), 4))
    data = []
    for i in range(n):
        name = digest("image", prompt, body.get("size", "1024x1024"), i)[:20]
        item = {"revised_prompt": prompt}
        if body.get("response_format") == "b64_json":
            item["b64_json"] = base64.b64encode(png_bytes(name, 32)).decode("ascii")
        else:
            item["url"] = f"{base}/images/generated/{name}.png"
        data.append(item)
    return {"created": FIXED_CREATED, "data": data}


def unsplash_search(query, per_page, page, base):
    h = digest("unsplash", query.lower())
    total = 40 + int(h[:6], 16) % 460
    total_pages = math.ceil(total / per_page)
    results = []
    start = (page - 1) * per_page
    for index in range(start, min(start + per_page, total)):
        ph = digest("photo", query.lower(), index)
        photo_id = base64.urlsafe_b64encode(bytes.fromhex(ph[:16])).decode("ascii")[:11]
        width = 3000 + int(ph[16:19], 16) % 3000
        height = int(width * (0.56 + (int(ph[19:21], 16) % 60) / 100))
        raw = f"{base}/unsplash/photos/{photo_id}"
        name = _PHOTOGRAPHERS[int(ph[21:23], 16) % len(_PHOTOGRAPHERS)]
        results.append(
            {
                "id": photo_id,
                "created_at": (FEED_BASE_DATE - timedelta(days=int(ph[23:26], 16) % 900)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
                "width": width,
                "height": height,
                "color": "#" + ph[26:32],
                "likes": int(ph[32:36], 16) % 2000,
                "description": None,
                "alt_description": f"{query} on a wooden table"
                if index % 3 == 0
                else f"close-up photo of {query}",
                "urls": {
                    "raw": raw,
                    "full": raw + "?q=85&fm=jpg",
                    "regular": raw + "?w=1080&q=80&fm=jpg",
                    "small": raw + "?w=400&q=80&fm=jpg",
                    "thumb": raw + "?w=200&q=80&fm=jpg",
                },
                "links": {"html": f"{base}/unsplash/photos/{photo_id}/page"},
                "user": {
                    "id": digest("user", name)[:12],
                    "username": name.lower().replace(" ", "_"),
                    "name": name,
                },
            }
        )
    return {"total": total, "total_pages": total_pages, "results": results}


# --- news -------------------------------------------------------------------------------------

_HEADLINES = [
    "Bahn kündigt neue Verbindungen nach Osten an",
    "Stadt plant mehr Radwege im Zentrum",
    "Forscher entdecken neue Art im Schwarzwald",
    "Weihnachtsmärkte öffnen mit neuen Regeln",
    "Preise für Strom sinken zum ersten Mal seit Jahren",
    "Schulen testen den Unterricht am Nachmittag",
    "Neue Ausstellung zeigt Bilder aus hundert Jahren",
    "Fußballverein gewinnt nach langer Pause wieder",
    "Mehr Menschen arbeiten von zu Hause",
    "Winter beginnt früh in den Alpen",
    "Universität eröffnet eine neue Bibliothek",
    "Bäckereien klagen über hohe Kosten",
    "Parlament debattiert über neues Gesetz zum Klima",
    "Museum bekommt ein altes Gemälde zurück",
    "Immer mehr Familien fahren im Urlaub mit dem Zug",
    "Konzert im Park zieht tausende Besucher an",
    "Ärzte warnen vor früher Grippewelle",
    "Markt für gebrauchte Fahrräder wächst",
    "Junge Köche gewinnen internationalen Preis",
    "Neue Brücke über den Rhein ist fertig",
]


def slugify(text):
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    text = text.lower().translate(table)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


ARTICLES = [(slugify(title), title) for title in _HEADLINES]
_ARTICLE_BY_SLUG = dict(ARTICLES)


def _pub_date(index):
    when = FEED_BASE_DATE - timedelta(hours=3 * index, minutes=7 * index)
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _nouns():
    nouns = []
    for _name, _icon, _level, _desc, spec in CATEGORIES:
        nouns.extend(parse_pairs(spec))
    return nouns


_NOUNS = _nouns()
_PARAGRAPH_TEMPLATES = [
    "Am Morgen sprachen viele über {n1} und {n2}.",
    "Laut einem Bericht war {n1} in diesem Jahr besonders {a}.",
    "Die Menschen wollen {v} und brauchen dafür {n2}.",
    "Ein Sprecher sagte, {n1} sei {a} geworden.",
    "Viele Familien möchten im Winter {v}, doch {n2} ist oft {a}.",
    "Die Stadt will bis zum Sommer mehr für {n1} tun.",
    "Experten erwarten, dass {n2} im nächsten Jahr {a} bleibt.",
]


def _paragraph(slug, p):
    sentences = []
    for s in range(4):
        h = digest("article", slug, p, s)
        template = _PARAGRAPH_TEMPLATES[int(h[:4], 16) % len(_PARAGRAPH_TEMPLATES)]
        sentences.append(
            template.format(
                n1=_NOUNS[int(h[4:8], 16) % len(_NOUNS)][0],
                n2=_NOUNS[int(h[8:12], 16) % len(_NOUNS)][0],
                a=ADJECTIVES[int(h[12:14], 16) % len(ADJECTIVES)][0],
                v=VERBS[int(h[14:16], 16) % len(VERBS)][0],
            )
        )
    return " ".join(sentences)


def article_summary(slug):
    return _paragraph(slug, 0).split(". ")[0] + "."


def rss_feed(base):
    items = []
    for index, (slug, title) in enumerate(ARTICLES):
        items.append(
            "    <item>\n"
            f"      <title>{_xml(title)}</title>\n"
            f"      <link>{base}/articles/{slug}.html</link>\n"
            f"      <guid isPermaLink=\"true\">{base}/articles/{slug}.html</guid>\n"
            f"      <description>{_xml(article_summary(slug))}</description>\n"
            f"      <pubDate>{_pub_date(index)}</pubDate>\n"
            "    </item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0">\n'
        "  <channel>\n"
        "    <title>Deutsche Nachrichten – leicht gelesen</title>\n"
        f"    <link>{base}/</link>\n"
        "    <description>Aktuelle Nachrichten auf Deutsch</description>\n"
        "    <language>de-de</language>\n"
        f"    <lastBuildDate>{_pub_date(0)}</lastBuildDate>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    )


def _xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def article_html(slug, base):
    title = _ARTICLE_BY_SLUG.get(slug)
    if title is None:
        return None
    index = [s for s, _ in ARTICLES].index(slug)
    paragraphs = "\n".join(f"      <p>{_xml(_paragraph(slug, p))}</p>" for p in range(6))
    related = "\n".join(
        f'        <li><a href="{base}/articles/{s}.html">{_xml(t)}</a></li>'
        for s, t in ARTICLES[index + 1 : index + 4]
    )
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <title>{_xml(title)} | Nachrichten</title>
  <script src="{base}/static/tracking.js"></script>
  <script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "{slug}"}});</script>
  <style>body {{ font-family: Georgia, serif; }} .ad {{ background: #eee; }}</style>
</head>
<body>
  <div class="cookie-banner">Wir verwenden Cookies. <button>Alle akzeptieren</button></div>
  <header>
    <nav>
      <a href="{base}/">Startseite</a> <a href="{base}/politik">Politik</a>
      <a href="{base}/wirtschaft">Wirtschaft</a> <a href="{base}/kultur">Kultur</a>
    </nav>
  </header>
  <div class="ad" id="ad-top">Anzeige: Jetzt Deutsch lernen – 50 % Rabatt!</div>
  <main>
    <article>
      <h1>{_xml(title)}</h1>
      <div class="byline">Von der Redaktion, {_pub_date(index)}</div>
{paragraphs}
      <div class="ad">Anzeige: Die besten Angebote der Woche</div>
      <div class="share social">Teilen: Facebook · X · E-Mail</div>
    </article>
    <aside class="related">
      <h2>Mehr zum Thema</h2>
      <ul>
{related}
      </ul>
    </aside>
  </main>
  <form class="newsletter"><input type="email" placeholder="E-Mail"><button>Newsletter</button></form>
  <footer><p>© 2026 Nachrichten GmbH · Impressum · Datenschutz</p></footer>
  <script>document.querySelectorAll('.ad').forEach(function (el) {{ el.dataset.seen = 1; }});</script>
</body>
</html>
"""
