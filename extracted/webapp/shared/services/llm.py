"""A thin client for OpenAI-style chat-completions APIs.

Written before the official SDK was allowed in the project. Note there is no timeout on the
request: a slow upstream holds the worker for as long as it likes.
"""
import json
import re

import requests

LANGUAGE_NAMES = {
    "de": "German",
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
}


class LLMError(Exception):
    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


def _language(code):
    return LANGUAGE_NAMES.get(code, code)


def _extract_json(content):
    """The model sometimes wraps JSON in prose or a ```json fence; take the first JSON value."""
    content = content.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", content, re.S)
    if fence:
        content = fence.group(1).strip()
    try:
        return json.loads(content)
    except ValueError:
        pass
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = content.find(opener), content.rfind(closer)
        if start != -1 and end > start:
            try:
                return json.loads(content[start : end + 1])
            except ValueError:
                continue
    raise LLMError("model reply is not valid JSON")


class ChatClient:
    def __init__(self, base_url, api_key, model):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model

    def complete(self, messages, temperature=0.7):
        url = f"{self.base_url}/chat/completions"
        payload = {"model": self.model, "messages": messages, "temperature": temperature}
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        try:
            resp = requests.post(url, json=payload, headers=headers)
        except requests.RequestException as exc:
            raise LLMError(f"could not reach {url}: {exc}") from exc
        if resp.status_code != 200:
            try:
                message = resp.json().get("error", {}).get("message", resp.text)
            except ValueError:
                message = resp.text
            raise LLMError(f"chat completion failed ({resp.status_code}): {message}", resp.status_code)
        try:
            return resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError) as exc:
            raise LLMError(f"unexpected chat completion response: {exc}") from exc

    def translate_words(self, words, source, target):
        if not words:
            return {}
        prompt = (
            f"Translate the following {_language(source)} words to {_language(target)}. "
            "Reply with a JSON object that maps each word to its translation and nothing else.\n"
            "Words: " + json.dumps(list(words), ensure_ascii=False)
        )
        content = self.complete(
            [
                {"role": "system", "content": "You are a precise bilingual dictionary."},
                {"role": "user", "content": prompt},
            ],
            temperature=0.2,
        )
        data = _extract_json(content)
        if not isinstance(data, dict):
            raise LLMError("expected a JSON object of translations")
        return {str(k): str(v) for k, v in data.items()}

    def example_sentences(self, word, language, n=3):
        prompt = (
            f"Write {n} short example sentences in {_language(language)} using the word "
            f'"{word}", each with an English translation. Reply with a JSON list of objects '
            'with the keys "sentence" and "translation".'
        )
        content = self.complete(
            [
                {"role": "system", "content": "You are a friendly language teacher."},
                {"role": "user", "content": prompt},
            ]
        )
        data = _extract_json(content)
        if isinstance(data, dict):
            data = data.get("sentences", [])
        sentences = []
        for item in data[:n] if isinstance(data, list) else []:
            if isinstance(item, dict) and item.get("sentence"):
                sentences.append(
                    {"sentence": str(item["sentence"]), "translation": str(item.get("translation", ""))}
                )
        return sentences
