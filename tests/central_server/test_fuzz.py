"""A schema-driven fuzz of the server's OpenAPI (schemathesis): whatever it sends, no 5xx.

Every operation gets a bounded number of generated requests (``EXAMPLES``), with a valid desk
token (and the admin token on admin routes) so the authenticated routes are exercised past
the token check. The app runs in process on a real database, SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from tests.central_server import kit  # noqa: E402
from tests.central_server.conftest import BACKENDS, database_url  # noqa: E402

EXAMPLES = 30


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed(request, tmp_path_factory):
    from fastapi.testclient import TestClient

    from central_server.app import create_app
    from central_server.settings import Settings
    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app(Settings(database_url=database_url(request.config, tmp, request.param), data_dir=tmp,
                              admin_token=kit.ADMIN_TOKEN, public_rate_per_second=1e6, public_burst=10 ** 6,
                              enrol_rate_per_second=1e6, enrol_burst=10 ** 6))
    client = TestClient(app)
    agency = kit.new_agency()
    token = kit.enrol_in_app(client, agency, "fuzz-" + agency, "Quầy thử")
    app.state.fuzz_tokens = {"desk": "Bearer " + token, "admin": "Bearer " + kit.ADMIN_TOKEN}
    yield app
    app.state.db.dispose()


def test_no_request_gets_a_server_error(fuzzed):
    from hypothesis import given
    tokens = fuzzed.state.fuzz_tokens
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            headers = dict(case.headers or {})
            if "authorization" not in {k.lower() for k in headers}:
                headers["Authorization"] = tokens["admin"] if "/admin/" in case.path else tokens["desk"]
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
        try:
            run()
        except Exception as e:  # noqa: BLE001 - collect every operation's failure, then report
            failures.append("%s %s: %s" % (operation.method.upper(), operation.path, str(e)[:2000]))
    assert operations >= 10
    assert not failures, "\n\n".join(failures)
