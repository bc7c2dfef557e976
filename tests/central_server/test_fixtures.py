"""The PostgreSQL half of the suite may be skipped on a developer's machine without the
binaries, never in CI."""

import pytest

from tests.central_server import conftest, kit


def test_missing_postgresql_fails_in_ci_and_skips_elsewhere(monkeypatch, tmp_path, request):
    monkeypatch.setattr(kit, "_cluster", None)
    monkeypatch.setattr(kit, "postgres_bindir", lambda: None)
    monkeypatch.delenv("DESK_REQUIRE_PG", raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run"):
        conftest.database_url(request.config, tmp_path, "postgresql")
    monkeypatch.delenv("CI")
    monkeypatch.setenv("DESK_REQUIRE_PG", "1")
    with pytest.raises(pytest.fail.Exception, match="must run"):
        conftest.database_url(request.config, tmp_path, "postgresql")
    monkeypatch.delenv("DESK_REQUIRE_PG")
    with pytest.raises(pytest.skip.Exception):
        conftest.database_url(request.config, tmp_path, "postgresql")
