"""The operator's tariffs: list and search, one in words and as its OCPI document, and a
new one from an OCPI 2.2.1 document pasted in (its problems named by field path)."""

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from fleetcharge.console.forms import (
    done_notice,
    search,
    submit,
    texts,
)
from fleetcharge.console.lists import first_url, next_url, page_request
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, OperatorMember
from fleetcharge.console.tariff_text import price_bounds, readable_elements
from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidField
from fleetcharge.models import Station
from fleetcharge.tariffs import admin as service

router = APIRouter()

BASE = "/network/tariffs"
EXAMPLE = """{
  "name": "Depot AC",
  "tax_rate": "0.10",
  "elements": [
    {"price_components": [{"type": "ENERGY", "price": "0.45"}]}
  ]
}"""


@router.get(BASE, response_class=HTMLResponse)
def tariffs_page(
    request: Request, member: OperatorMember, q: str | None = None, cursor: str | None = None
) -> Response:
    searched = search(q)
    with unit_of_work(request.app.state.engine) as db:
        page = service.list_tariffs(db, member.actor, page_request(cursor), searched)
        documents = {tariff.id: service.priced_document(db, tariff) for tariff in page.items}
        return render(
            request,
            "tariffs/list.html",
            {
                "title": "Tariffs",
                "tariffs": page.items,
                "summaries": {
                    tariff_id: "; ".join(
                        "; ".join(element.prices) for element in readable_elements(document)
                    )
                    for tariff_id, document in documents.items()
                },
                "total": page.total,
                "q": searched or "",
                "next_url": next_url(request, page),
                "first_url": first_url(request),
            },
        )


@router.get(f"{BASE}/new", response_class=HTMLResponse)
def new_tariff_page(request: Request, member: OperatorMember) -> Response:
    member.actor.require("tariffs", "create")
    return _form(request, {"document": EXAMPLE}, {})


@router.post(f"{BASE}/new", response_class=HTMLResponse)
def create_tariff(request: Request, member: OperatorMember, form: CheckedForm) -> Response:
    values = texts(form, "document")

    def change(db: Session) -> str:
        tariff = service.create_from_document(db, member.actor, _document(values["document"]))
        return f"{BASE}/{tariff.uuid}?done=created"

    def again(errors: dict[str, str]) -> Response:
        # Every problem the document has is about the one field the member typed it in.
        return _form(request, values, {"document": " ".join(errors.values())})

    return submit(request, change, again)


@router.get(f"{BASE}/{{uuid}}", response_class=HTMLResponse)
def tariff_page(
    request: Request, member: OperatorMember, uuid: UUID, done: str | None = None
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        tariff = service.get_tariff(db, member.actor, uuid)
        view = service.tariff_view(db, tariff)
        priced = service.priced_document(db, tariff)
        stations = db.scalar(select(func.count()).where(Station.tariff_id == tariff.id)) or 0
    document = view["document"]
    return render(
        request,
        "tariffs/detail.html",
        {
            "title": f"Tariff {view['name']}",
            "tariff": view,
            "priced": priced,
            "elements": readable_elements(priced),
            "bounds": price_bounds(priced),
            "stations": stations,
            "document_json": json.dumps(document, indent=2, ensure_ascii=False),
            "notice": done_notice(done, f"Tariff {view['name']}"),
        },
    )


def _document(text: str) -> Any:
    if not text.strip():
        raise InvalidField("document: paste the tariff's JSON document", field="document")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidField(
            f"document: not JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            field="document",
        ) from None
    except RecursionError:
        raise InvalidField("document: nested too deeply", field="document") from None


def _form(request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
    return render(
        request,
        "tariffs/form.html",
        {"title": "New tariff", "values": values, "errors": errors},
    )
