"""requirements.txt resolves to a CPU-only torch: no nvidia-* package, here or on Community Cloud."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_requirements_resolve_without_any_nvidia_package(tmp_path):
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--retries",
            "0",
            "--quiet",
            "--report",
            str(report),
            "-r",
            str(ROOT / "requirements.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode and "Could not find a version" in result.stderr and "torch" in result.stderr:
        pytest.fail(f"torch did not resolve: {result.stderr[-2000:]}")
    assert result.returncode == 0, result.stderr[-2000:]
    installs = {
        item["metadata"]["name"].lower(): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert not [name for name in installs if name.startswith("nvidia")]
    if sys.platform == "linux":
        assert installs["torch"] == "2.13.0+cpu"
    assert {"streamlit", "plotly", "pandas", "numpy", "safetensors", "tsdownsample"} <= installs.keys()
