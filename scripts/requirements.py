"""Print the project's pinned requirements from pyproject.toml, one per line, for `pip install -r`.

    python scripts/requirements.py dev embedded > requirements.txt

The project is not a package (`[tool.setuptools] packages = []`), so instead of building and
installing an empty wheel (which also writes an egg-info folder into the tree) we read the
dependency lists straight from pyproject.toml. Only the standard library is used, so this runs
before the virtualenv has anything in it.
"""

import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def requirements(extras: list[str]) -> list[str]:
    """Return the base dependencies followed by those of each named extra."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    unknown = [name for name in extras if name not in optional]
    if unknown:
        raise SystemExit(
            f"pyproject.toml has no extra named {', '.join(unknown)} "
            f"(known: {', '.join(sorted(optional))})"
        )
    lines = list(project.get("dependencies", []))
    for name in extras:
        lines.extend(optional[name])
    return lines


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:])))
