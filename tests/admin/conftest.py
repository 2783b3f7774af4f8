from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.admin.helpers import Caller, account
from tests.api.helpers import make_client
from tests.mailbox import mailbox, smtp_env  # noqa: F401  (fixtures)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with make_client(engine) as test_client:
        yield test_client


@pytest.fixture
def admin(engine: Engine) -> Caller:
    return account(engine, "admin")
