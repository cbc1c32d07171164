"""Generated avatars: deterministic SVGs drawn from a hash of a seed string.

Before the image API was wired in, every avatar was one of these; they are still the fallback
when the user has no OpenAI key and the source for "variations".
"""
import hashlib
from xml.sax.saxutils import escape

AVATAR_STYLES = ["geometric", "identicon", "rings", "pixel", "initials"]

PALETTES = [
    ("#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51"),
    ("#003049", "#d62828", "#f77f00", "#fcbf49", "#eae2b7"),
    ("#606c38", "#283618", "#fefae0", "#dda15e", "#bc6c25"),
    ("#22223b", "#4a4e69", "#9a8c98", "#c9ada7", "#f2e9e4"),
    ("#0b132b", "#1c2541", "#3a506b", "#5bc0be", "#6fffe9"),
    ("#ff595e", "#ffca3a", "#8ac926", "#1982c4", "#6a4c93"),
]

SIZE = 128


def _digest(seed):
    return hashlib.sha256(seed.encode("utf-8")).digest()


def variation_seed(seed, index):
    return hashlib.sha256(f"{seed}:variation:{index}".encode()).hexdigest()[:16]


def _svg(body, background):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" fill="{background}"/>{body}</svg>'
    )


def _geometric(d, palette):
    parts = []
    for i in range(6):
        b = d[i * 4 : i * 4 + 4]
        shape = b[0] % 3
        color = palette[1 + b[1] % 4]
        x, y = 16 + b[2] % 96, 16 + b[3] % 96
        r = 10 + (b[0] >> 2) % 22
        if shape == 0:
            parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{color}" opacity="0.85"/>')
        elif shape == 1:
            parts.append(
                f'<rect x="{x - r}" y="{y - r}" width="{2 * r}" height="{2 * r}" '
                f'fill="{color}" opacity="0.8" transform="rotate({b[1] % 90} {x} {y})"/>'
            )
        else:
            parts.append(
                f'<polygon points="{x},{y - r} {x + r},{y + r} {x - r},{y + r}" '
                f'fill="{color}" opacity="0.8"/>'
            )
    return "".join(parts)


def _identicon(d, palette):
    color = palette[1 + d[0] % 4]
    cell = SIZE // 8
    parts = []
    # 5x5 grid mirrored around the middle column, 1.5 cells of margin
    for row in range(5):
        for col in range(3):
            if d[row * 3 + col + 1] % 2 == 0:
                for c in {col, 4 - col}:
                    x = int(cell * 1.5 + c * cell)
                    y = int(cell * 1.5 + row * cell)
                    parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{color}"/>')
    return "".join(parts)


def _rings(d, palette):
    parts = []
    for i in range(5):
        color = palette[(d[i] + i) % 5]
        r = 60 - i * 11
        parts.append(
            f'<circle cx="64" cy="64" r="{r}" fill="none" stroke="{color}" '
            f'stroke-width="{4 + d[i + 8] % 6}"/>'
        )
    return "".join(parts)


def _pixel(d, palette):
    parts = []
    cell = SIZE // 8
    for i in range(64):
        byte = d[i % len(d)] ^ (i * 37 & 0xFF)
        if byte % 3 == 0:
            continue
        color = palette[byte % 5]
        parts.append(
            f'<rect x="{(i % 8) * cell}" y="{(i // 8) * cell}" width="{cell}" height="{cell}" fill="{color}"/>'
        )
    return "".join(parts)


def _initials(d, palette, seed):
    letters = "".join(ch for ch in seed if ch.isalpha())[:2].upper() or "?"
    color = palette[4 - d[0] % 2]
    return (
        f'<circle cx="64" cy="64" r="52" fill="{palette[1 + d[1] % 3]}"/>'
        f'<text x="64" y="78" font-family="Helvetica, Arial, sans-serif" font-size="44" '
        f'text-anchor="middle" fill="{color}">{escape(letters)}</text>'
    )


def generate_avatar_svg(seed, style):
    if style not in AVATAR_STYLES:
        raise ValueError(f"unknown avatar style {style!r}")
    d = _digest(seed)
    palette = PALETTES[d[31] % len(PALETTES)]
    background = palette[0]
    if style == "geometric":
        body = _geometric(d, palette)
    elif style == "identicon":
        background = "#f0f0f0"
        body = _identicon(d, palette)
    elif style == "rings":
        body = _rings(d, palette)
    elif style == "pixel":
        body = _pixel(d, palette)
    else:
        body = _initials(d, palette, seed)
    return _svg(body, background)
