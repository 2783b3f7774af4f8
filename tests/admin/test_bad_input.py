"""Input the fuzz tests found or could find: each a precise 400 (or 401 for a caller
without a valid token), never a 500, on SQLite and PostgreSQL (which refuses NUL in text)."""

from fastapi.testclient import TestClient

from tests.admin.helpers import ADMIN, Caller, error_of


def test_control_characters_in_parameters_are_400_naming_them(
    client: TestClient, admin: Caller
) -> None:
    for path, parameter in [
        ("/organisations?q=a%00b", "q"),
        ("/audit-events?resource=a%00b", "resource"),
        ("/api-tokens?state=active%0A", "state"),
        ("/organisations/a%00b", "uuid"),
    ]:
        error = error_of(client.get(f"{ADMIN}{path}", headers=admin.headers), 400)
        assert error["parameter"] == parameter, (path, error)


def test_bad_fields_are_400_naming_them(client: TestClient, admin: Caller) -> None:
    for body, field in [
        ({"name": "a", "contact_email": "a\u0000@b.example"}, "contact_email"),
        ({"name": "b", "billing_timezone": "A" * 300}, "billing_timezone"),
        ({"name": "c", "billing_timezone": "Australia/Perth\u0000"}, "billing_timezone"),
        ({"name": "d\u0000"}, "name"),
    ]:
        response = client.post(f"{ADMIN}/organisations", json=body, headers=admin.headers)
        assert error_of(response, 400)["field"] == field, body


def test_a_body_that_is_not_json(client: TestClient, admin: Caller) -> None:
    for content, content_type in [(b"{not json", "application/json"), (b"a=1", "text/plain")]:
        headers = {"Content-Type": content_type}
        response = client.post(
            f"{ADMIN}/organisations", content=content, headers={**admin.headers, **headers}
        )
        error = error_of(response, 400)
        assert error["code"] in ("invalid_body", "invalid_field"), error
        # Without a valid token, nothing is said about the body.
        anonymous = client.post(f"{ADMIN}/organisations", content=content, headers=headers)
        assert error_of(anonymous, 401)["code"] == "unauthorized"
        assert anonymous.headers["www-authenticate"] == "Bearer"
