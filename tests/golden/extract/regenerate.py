"""Regenerate the golden extraction trees: `.venv/bin/python tests/golden/extract/regenerate.py`.

Each case extracts one fixture monolith (tests/fixtures/extract/<case>/, domains from its
case.json) in memory and writes every generated file under tests/golden/extract/<case>/expected/.
Review the result as a diff before committing it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "fixtures" / "extract"
CASES = (
    "url_for_between_domains",
    "models_and_extensions",
    "imports_in_functions",
    "hooks",
    "blueprint_in_module",
    "api_module_alias",
    "factory_nested_views",
)


def generate(case: str) -> dict[str, str | bytes]:
    from decompose.extract import plan_extraction

    spec = json.loads((FIXTURES / case / "case.json").read_text())
    result, _ = plan_extraction(FIXTURES / case / spec.get("entry", "app.py"), endpoint_domains=spec["domains"])
    return {f.path: f.content for f in result.files}


def main() -> int:
    for case in CASES:
        target = HERE / case / "expected"
        shutil.rmtree(target, ignore_errors=True)
        for path, content in generate(case).items():
            out = target / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        print(f"wrote {target.relative_to(HERE.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
