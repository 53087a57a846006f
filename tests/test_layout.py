"""The layout shows the architecture: one name per module, and the layers kept.

The layering itself is checked by import-linter (``lint-imports`` in ``make test``, the
contracts in ``pyproject.toml``); here: no two modules of the project share a name, so that a
name says which module it is.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The names Django itself gives an app's modules (every app has its own).
DJANGO_APP_MODULES = {"apps", "models", "admin", "migrations", "__init__"}


def module_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for package in ("rectify", "bureaus"):
        for path in (ROOT / package).rglob("*"):
            if "migrations" in path.parts or "__pycache__" in path.parts:
                continue
            if path.suffix == ".py":
                names[path.stem].append(str(path.relative_to(ROOT)))
            elif path.is_dir() and (path / "__init__.py").exists():
                names[path.name].append(str(path.relative_to(ROOT)))
    return names


def test_no_two_modules_share_a_name():
    shared = {name: paths for name, paths in module_names().items()
              if len(paths) > 1 and name not in DJANGO_APP_MODULES}
    assert shared == {}


def test_each_layer_has_its_folder():
    for folder in ("models", "rules", "services", "admin", "api", "workpages", "public",
                   "ledger", "notice_import", "documents"):
        assert (ROOT / "rectify" / folder / "__init__.py").exists(), folder
