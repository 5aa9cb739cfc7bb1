from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_and_key(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
