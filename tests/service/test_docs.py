"""The README documents every setting (by its environment variable) and the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from groundqa.core.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [f"GROUNDQA_{name.upper()}" for name in Settings.model_fields
               if f"`GROUNDQA_{name.upper()}`" not in README]
    assert not missing, f"add these to README's Settings table: {missing}"


def test_first_section_gives_the_two_commands_ci_runs() -> None:
    first = README.split("\n## ", 2)[1]
    assert "./scripts/install && .venv/bin/groundqa serve" in first
    assert "./scripts/install --test && .venv/bin/python -m pytest" in first
    ci = (Path(__file__).parents[2] / ".ci" / "run").read_text()
    assert "scripts/install --test" in ci and "README.md" in ci
