"""Shared paths and the Rust CLI (built with cargo when missing) for the comparisons."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The `kexian` binary of this checkout (release), built if absent."""
    exe = ROOT / "target" / "release" / ("kexian.exe" if os.name == "nt" else "kexian")
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "--bin", "kexian"], cwd=ROOT, check=True)
    return exe
