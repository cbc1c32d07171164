"""Text helpers for the "paste a text, learn its words" feature and the news reader."""
import re
import unicodedata
from collections import Counter

from bs4 import BeautifulSoup

# Letters incl. umlauts/accents, optionally joined by an apostrophe or a hyphen (e-mail, don't).
WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)

# Words that are never worth learning on their own. German + English, the two languages
# the product supported at launch.
STOPWORDS = {
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen",
    "und", "oder", "aber", "ist", "sind", "war", "ich", "du", "er", "sie", "es", "wir", "ihr",
    "the", "a", "an", "and", "or", "but", "is", "are", "was", "i", "you", "he", "she", "it", "we",
    "they", "of", "to", "in", "on", "at", "zu", "im", "am", "auf", "mit", "von",
}

NOISE_SELECTORS = [
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
    ".ad", ".ads", ".advert", ".advertisement", ".cookie-banner", ".newsletter", ".related",
    ".share", ".social", "#comments",
]


def tokenize(text):
    if not text:
        return []
    return WORD_RE.findall(text)


def normalize_word(w):
    w = unicodedata.normalize("NFC", w or "").strip().lower()
    w = w.replace("’", "'")
    return w.strip("'-")


def extract_unknown_words(text, known, excluded):
    """Words of `text` that are neither known nor excluded, in order of first appearance."""
    seen = set()
    result = []
    known = {normalize_word(k) for k in known}
    excluded = {normalize_word(e) for e in excluded}
    for token in tokenize(text):
        word = normalize_word(token)
        if len(word) < 2 or word in seen:
            continue
        seen.add(word)
        if word in STOPWORDS or word in known or word in excluded:
            continue
        result.append(word)
    return result


def clean_article_html(html):
    """Title and readable text of an article page, without navigation, scripts and ads."""
    soup = BeautifulSoup(html or "", "html.parser")
    for selector in NOISE_SELECTORS:
        for node in soup.select(selector):
            node.decompose()
    title = ""
    heading = soup.find("h1")
    if heading is not None:
        title = heading.get_text(" ", strip=True)
    elif soup.title is not None:
        title = soup.title.get_text(" ", strip=True)
    body = soup.find("article") or soup.find("main") or soup.body or soup
    paragraphs = [p.get_text(" ", strip=True) for p in body.find_all("p")]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        text = body.get_text(" ", strip=True)
    else:
        text = "\n\n".join(paragraphs)
    return {"title": title, "text": text}


def word_frequencies(text):
    counts = Counter(normalize_word(t) for t in tokenize(text))
    counts.pop("", None)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
