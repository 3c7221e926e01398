"""environment.yml (conda) and pyproject.toml must name the same dependencies."""

import re
import tomllib

from source_tree import PROJECT_ROOT

CONDA_NAMES = {"python-duckdb": "duckdb"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    conda = set()
    text = (PROJECT_ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^  - ([A-Za-z][\w.-]*)", line) or re.match(r"^      - ([A-Za-z][\w.-]*)", line)
        if match and match.group(1) not in ("python", "pip"):
            conda.add(CONDA_NAMES.get(_name(match.group(1)), _name(match.group(1))))
    assert conda == declared
    assert "      - -e ." in text


def test_version_floors_match():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    text = (PROJECT_ROOT / "environment.yml").read_text()
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        name = _name(requirement)
        spec = re.sub(r"^\[[^\]]*\]", "", requirement[len(name):])  # conda has no extras
        conda_name = {v: k for k, v in CONDA_NAMES.items()}.get(name, name)
        assert f"  - {conda_name}{spec}\n" in text, f"environment.yml should pin {conda_name}{spec}"  # conda or pip
