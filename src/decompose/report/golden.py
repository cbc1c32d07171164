"""Regenerate the golden analyze reports: ``python -m decompose.report.golden [--check]``.

Run from the repository root. Each case is analysed without the cache and written as the JSON
report to ``tests/golden/analyze/<case>.json``; review the diff, then commit. ``--check`` writes
nothing and exits 1 when a golden file is out of date (what CI runs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from decompose.config import Config

GOLDEN_DIR = Path("tests/golden/analyze")
FIXTURES = Path("tests/fixtures/apps")

#: case -> (path to analyse, config: None = the project's own decompose.toml, "none" = no config)
CASES: dict[str, tuple[str, str | None]] = {
    "legacy": ("legacy/app.py", None),
    "fx_decorators": ("tests/fixtures/apps/fx_decorators/app.py", "none"),
    "fx_add_url_rule": ("tests/fixtures/apps/fx_add_url_rule/app.py", "none"),
    "fx_method_view": ("tests/fixtures/apps/fx_method_view/app.py", "none"),
    "fx_blueprints": ("tests/fixtures/apps/fx_blueprints", "none"),
    "fx_factory": ("tests/fixtures/apps/fx_factory", "none"),
    "fx_alias_from": ("tests/fixtures/apps/fx_alias_from/app.py", "none"),
    "fx_alias_module": ("tests/fixtures/apps/fx_alias_module/app.py", "none"),
    "fx_multimodule": ("tests/fixtures/apps/fx_multimodule/__init__.py", "none"),
    "fx_server": ("tests/fixtures/apps/fx_server/server.py", "none"),
    "fx_hooks": ("tests/fixtures/apps/fx_hooks/app.py", "none"),
    "fx_models": ("tests/fixtures/apps/fx_models/app.py", "none"),
    "fx_rawdb": ("tests/fixtures/apps/fx_rawdb/app.py", "none"),
    "fx_flaskr": ("tests/fixtures/apps/fx_flaskr", "none"),
    "fx_patterns": ("tests/fixtures/apps/fx_patterns/app.py", "none"),
    "fx_flasky": ("tests/fixtures/apps/fx_flasky/manage.py", "none"),
}


def render_case(name: str, repo: Path = Path(".")) -> str:
    from decompose.analysis import analyze
    from decompose.report import render

    path, config = CASES[name]
    cfg: Config | None = Config() if config == "none" else None
    result = analyze(repo / path, config=cfg, use_cache=False)
    return render(result, "json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("cases", nargs="*", help="cases to regenerate (default: all)")
    args = parser.parse_args(argv)
    stale = []
    for name in args.cases or sorted(CASES):
        text = render_case(name)
        target = GOLDEN_DIR / f"{name}.json"
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
    for s in stale:
        print(f"out of date: {s} (run python -m decompose.report.golden)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
