"""Check generated code: it parses and compiles, the factory imports, and the url_map matches.

Importing runs the user's module-level code, so the comparison happens in child processes (one
for the original app, one for the generated package, run side by side), never in this process.
The generated package is imported from the temporary directory before it is moved into place,
so a failed check leaves the output directory as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from decompose.model.extraction import GeneratedFile

# Runs in the child: import the app, print its url_map as JSON on the last line of stdout.
_DUMP = r"""
import importlib, json, sys
target, attr, factory = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
module = importlib.import_module(target)
for extra in sys.argv[4:]:  # project modules that register on the app when imported
    importlib.import_module(extra)
app = getattr(module, attr)
if factory:
    app = app()
rules = sorted(
    [r.rule, sorted(r.methods or ()), r.endpoint, r.endpoint in app.view_functions]
    for r in app.url_map.iter_rules()
)
sys.stdout.write("\n" + json.dumps(rules) + "\n")
"""


@dataclass(frozen=True)
class SelfCheck:
    status: str  # passed | failed | skipped
    detail: str = ""


def compile_all(files: Sequence[GeneratedFile]) -> list[str]:
    """``path:line: message`` for every generated Python file that does not compile."""
    errors = []
    for f in files:
        if f.path.endswith(".py") and isinstance(f.content, str):
            try:
                compile(f.content, f.path, "exec", dont_inherit=True)
            except SyntaxError as exc:
                errors.append(f"{f.path}:{exc.lineno}: {exc.msg}")
    return errors


def _spawn(
    cwd: Path, pythonpath: Sequence[Path], target: str, attr: str, factory: bool, extra: Sequence[str] = ()
) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*(str(p) for p in pythonpath), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return subprocess.Popen(
        [sys.executable, "-c", _DUMP, target, attr, "1" if factory else "0", *extra],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _collect(proc: subprocess.Popen[str], what: str, timeout: float) -> tuple[list[list[object]] | None, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, f"importing {what} did not finish within {timeout:.0f} s"
    if proc.returncode != 0:
        last = err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"
        return None, f"importing {what} failed: {last}"
    try:
        return json.loads(out.strip().splitlines()[-1]), ""
    except (ValueError, IndexError):
        return None, f"importing {what} printed no url_map"


def compare_url_maps(
    original: list[list[object]], new: list[list[object]], renames: Mapping[str, str]
) -> list[str]:
    """Differences other than the planned renames, as ``- rule methods endpoint`` lines."""
    expected = sorted([r[0], r[1], renames.get(str(r[2]), r[2]), *r[3:]] for r in original)
    got = sorted(new)
    if expected == got:
        return []
    exp_set = {json.dumps(r) for r in expected}
    got_set = {json.dumps(r) for r in got}
    lines = [f"- {r}" for r in sorted(exp_set - got_set)] + [f"+ {r}" for r in sorted(got_set - exp_set)]
    return lines or ["the same rules, registered a different number of times"]


def check_url_map(
    *,
    project_root: Path,
    original_module: str,
    app_name: str,
    package_dir: Path,
    package: str,
    renames: Mapping[str, str],
    attr: str = "create_app",
    timeout: float = 120.0,
    extra_modules: Sequence[str] = (),
    new_extra_modules: Sequence[str] = (),
    original_is_factory: bool = False,
) -> SelfCheck:
    """Import both apps in child processes and compare their url_maps.

    The new app is ``package.create_app()``, or ``package.<attr>`` when ``attr`` is not
    ``create_app`` (in-place mode imports the compatibility module's ``app``).
    """
    original = _spawn(project_root, [project_root], original_module, app_name, original_is_factory, extra_modules)
    new = _spawn(package_dir, [package_dir], package, attr, attr == "create_app", new_extra_modules)
    old_rules, old_err = _collect(original, original_module, timeout)
    new_rules, new_err = _collect(new, f"the generated package {package}", timeout)
    if old_rules is None:
        return SelfCheck("skipped", old_err + "; url_map not compared")
    if new_rules is None:
        return SelfCheck("failed", new_err)
    diff = compare_url_maps(old_rules, new_rules, renames)
    if diff:
        return SelfCheck("failed", "url_map differs beyond the planned renames:\n" + "\n".join(diff))
    return SelfCheck("passed", f"{len(new_rules)} rules equal after {len(renames)} planned renames")
