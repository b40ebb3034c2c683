"""The wheel installs one top-level package, groundqa, with every subpackage and the data the code reads
(issue 14). The install-and-use smoke test of the same wheel is scripts/wheel-smoke, run by .ci/run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

FOLDERS = ("core", "ingest", "credibility", "index", "engine", "service", "eval")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("dist")
    # a clean copy: a stale build/ folder in the work tree could slip files into the wheel that the config misses
    source = tmp_path_factory.mktemp("src") / "groundqa"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__",
                                                                "tests", "bench"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out),
                           str(source)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 and "setuptools" in proc.stderr and "No module named" in proc.stderr:
        pytest.skip("setuptools is not installed in this venv")
    assert proc.returncode == 0, proc.stderr
    (path,) = out.glob("groundqa-*.whl")
    return path, proc.stdout + proc.stderr


def test_one_top_level_package(wheel: tuple[Path, str]) -> None:
    names = zipfile.ZipFile(wheel[0]).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"groundqa"}
    top_level = next(n for n in names if n.endswith("top_level.txt"))
    assert zipfile.ZipFile(wheel[0]).read(top_level).decode().split() == ["groundqa"]


def test_every_subpackage_and_data_file_is_shipped(wheel: tuple[Path, str]) -> None:
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    for folder in FOLDERS:
        for init in (ROOT / folder).rglob("__init__.py"):
            shipped = f"groundqa/{init.relative_to(ROOT).as_posix()}"
            assert shipped in names, f"{shipped} is missing: add its package to [tool.setuptools] packages"
    data = [*(ROOT / "service/web/static").iterdir(), ROOT / "service/audit/report.html",
            *(p for p in (ROOT / "models").rglob("*") if p.is_file())]  # the trained models and their cards
    missing = [p for p in data if f"groundqa/{p.relative_to(ROOT).as_posix()}" not in names]
    assert not missing, f"not in the wheel: {missing}"



def test_no_training_code_or_labelled_data_in_the_wheel(wheel: tuple[Path, str]) -> None:
    """Training (training/, its own distribution) and the labelled sets (labels/) stay in the repository."""
    names = zipfile.ZipFile(wheel[0]).namelist()
    training = [n for n in names if "training" in n.split("/")[:-1] or n.split("/")[-1].startswith("groundqa_training")]
    assert not training, training
    labelled = [n for n in names if n.endswith((".jsonl", "claims_split.json", "mediqa_split.json", "LABELLING.md"))]
    assert not labelled, labelled
    assert not any(n.startswith("groundqa/labels/") for n in names)


def test_imports_point_down_the_pipeline() -> None:
    """The import-linter layer contract of pyproject.toml holds: no module imports upward or in a cycle."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check-imports")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
