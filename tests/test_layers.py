"""The layers hold: imports run down only, and no app's modules import each other in a circle.

The contracts are in `.importlinter` (import-linter reads the code, it imports nothing); the
layers are drawn in docs/architecture.md. The second and third tests plant a forbidden import
in a copy of an app to show that the check would catch one.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*, planted_in: str | None = None) -> subprocess.CompletedProcess:
    """lint-imports puts its working directory first on the path: a copy of an app in
    `planted_in` is read instead of the real one."""
    env = {**os.environ}
    if planted_in:
        env["PYTHONPATH"] = os.pathsep.join([planted_in, env.get("PYTHONPATH", "")])
    return subprocess.run(
        [str(LINT_IMPORTS), str(REPO / ".importlinter"), "--no-cache"],
        cwd=planted_in or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_imports_run_down_the_layers_without_circles():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr


def _app_with_extra_module(tmp_path, app: str, source_root: Path, module: str, code: str) -> str:
    copy = tmp_path / app
    shutil.copytree(source_root / app, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / f"{module}.py").write_text(code)
    return str(tmp_path)


@pytest.mark.parametrize(
    ("app", "source_root", "module", "code", "expected"),
    [
        ("social", REPO / "platform", "planted", "import feeds.models\n", "social.planted"),
        ("feeds", REPO, "planted", "import analytics.rollups\n", "feeds.planted"),
        ("ads", REPO, "planted", "import bots.models\n", "ads.planted"),
    ],
)
def test_an_import_up_the_layers_is_caught(tmp_path, app, source_root, module, code, expected):
    path = _app_with_extra_module(tmp_path, app, source_root, module, code)
    result = lint_imports(planted_in=path)
    assert result.returncode != 0
    assert expected in result.stdout


def test_a_circle_inside_an_app_is_caught(tmp_path):
    path = _app_with_extra_module(
        tmp_path, "feeds", REPO, "planted", "import feeds.models\nimport feeds.planted_too\n"
    )
    (tmp_path / "feeds" / "planted_too.py").write_text("import feeds.planted\n")
    result = lint_imports(planted_in=path)
    assert result.returncode != 0
    assert "No cycles are allowed in feeds" in result.stdout
