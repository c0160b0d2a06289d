"""requirements.txt resolves to a CPU-only torch: no nvidia-* package, here or on Community Cloud.

It asks pip to resolve against the package index, so it is marked ``network`` and skipped, saying why,
where the index cannot be reached.
"""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
TORCH_CPU_PAGE = "https://download.pytorch.org/whl/cpu/torch/"  # the find-links page in requirements.txt

pytestmark = pytest.mark.network


def unreachable(url: str) -> str | None:
    """Why ``url`` cannot be fetched within a few seconds, or None."""
    try:
        urllib.request.urlopen(url, timeout=10).close()
    except OSError as err:
        return f"{url} cannot be reached ({err})"
    return None


def test_requirements_resolve_without_any_nvidia_package(tmp_path):
    if why := unreachable(INDEX):
        pytest.skip(f"needs the package index: {why}")
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--retries", "0", "--quiet",
         "--report", str(report), "-r", str(ROOT / "requirements.txt")],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    if result.returncode and "torch" in result.stderr and (why := unreachable(TORCH_CPU_PAGE)):
        pytest.skip(f"pip finds no CPU torch without PyTorch's page of wheels: {why}")
    assert result.returncode == 0, result.stderr[-2000:]
    installs = {
        item["metadata"]["name"].lower(): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert not [name for name in installs if name.startswith("nvidia")]
    if sys.platform == "linux":
        assert installs["torch"] == "2.13.0+cpu"
    assert {"streamlit", "plotly", "pandas", "numpy", "safetensors", "tsdownsample"} <= installs.keys()
