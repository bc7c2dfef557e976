"""The sync tests use the same real servers as the server's own tests."""

from tests.central_server.conftest import backend, server, server_factory, shared_server  # noqa: F401
