import pytest

from . import provider_server


@pytest.fixture
def provider():
    """A provider played by a local HTTP server (tests/notices/provider_server.py)."""
    played = provider_server.start()
    yield played
    provider_server.stop(played)
