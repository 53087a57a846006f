"""Production's static files: ``collectstatic`` with ``DEBUG=0`` (whitenoise's compressed
manifest storage, which refuses a file that names a missing one, such as a source map)."""

from __future__ import annotations

import json

from tests.test_settings import PRODUCTION, run_manage


def test_collectstatic_succeeds_in_production(tmp_path):
    root = tmp_path / "static"
    result = run_manage("collectstatic", "--noinput", "-v", "0",
                        env=dict(PRODUCTION, STATIC_ROOT=str(root)))
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    for name in ("rectify/public.css", "vendor/chartjs/chart.umd.js"):
        assert (root / manifest[name]).is_file(), name
