"""Catalogue, agencies and informational services hold the demo data, each visible only to its owner."""
from __future__ import annotations

from tests.conftest import ANA, BAKERY, GIORGI, NINO, Portal


def test_catalogue_serves_categories_services_and_form_schemas(portal: Portal) -> None:
    assert len(portal.http.get("/v1/catalogue/categories").json()["categories"]) == 11
    assert len(portal.http.get("/v1/catalogue/services").json()["services"]) == 70
    detail = portal.http.get("/v1/catalogue/services/civil.address.registration").json()
    first = detail["form"][0]
    assert first["name"] == "new_address" and first["required"] is True
    assert first["prompt"]["ka"] and first["prompt"]["en"] and first["label"]["ka"]
    assert portal.http.get("/v1/catalogue/services/no.such.service").status_code == 404
    assert "/v1/applications" in portal.http.get("/openapi.json").json()["paths"]


def test_agency_directory(portal: Portal) -> None:
    names = {a["id"]: a["name"]["en"] for a in portal.http.get("/v1/agencies").json()["agencies"]}
    for agency in ("PSDA", "NAPR", "SA", "RS", "SSA", "DEA", "TCH"):
        assert agency in names
    assert names["TCH"] == "Tbilisi City Hall"


def test_informational_services_of_each_citizen(portal: Portal) -> None:
    giorgi, nino, ana = portal.login(GIORGI), portal.login(NINO), portal.login(ANA)
    assert portal.http.get("/v1/info/tax-debt", headers=giorgi).json()["amount_tetri"] == 12540
    assert portal.http.get("/v1/info/tax-debt", headers=nino).json()["amount_tetri"] == 0
    crossings = portal.http.get("/v1/info/border-crossings", headers=nino).json()["items"]
    assert [(c["direction"], c["date"], c["checkpoint_en"]) for c in crossings] == [("exit", "2026-03-14", "Sarpi"), ("entry", "2026-03-21", "Sarpi")]
    assert portal.http.get("/v1/info/border-crossings", headers=giorgi).json()["items"] == []
    enterprises = portal.http.get("/v1/info/enterprises", headers=nino).json()["items"]
    assert enterprises[0]["id_code"] == BAKERY and enterprises[0]["share_percent"] == 100 and enterprises[0]["role"] == "director"
    assert portal.http.get("/v1/info/property", headers=giorgi).json()["items"][0]["cadastral_code"] == "01.10.14.004.018.01.500"
    assert portal.http.get("/v1/info/property", headers=ana).json()["items"] == []
    assert portal.http.get("/v1/info/debtor-status", headers=ana).json()["registered_debtor"] is False
    assert portal.http.get("/v1/info/horoscope", headers=ana).status_code == 404


def test_inboxes_match_the_demo(portal: Portal) -> None:
    nino = portal.http.get("/v1/inbox", headers=portal.login(NINO)).json()
    giorgi = portal.http.get("/v1/inbox", headers=portal.login(GIORGI)).json()
    ana = portal.http.get("/v1/inbox", headers=portal.login(ANA)).json()
    assert (nino["unread"], nino["messages"][0]["agency"]["id"]) == (1, "NAPR")
    assert giorgi["unread"] == 2 and {m["agency"]["id"] for m in giorgi["messages"]} == {"NAPR", "TCH"}
    assert ana == {"unread": 0, "total": 0, "messages": []}


def test_acting_for_a_company_only_while_registered(portal: Portal) -> None:
    nino, giorgi = portal.login(NINO), portal.login(GIORGI)
    as_bakery = {**nino, "X-Act-For": BAKERY}
    debt = portal.http.get("/v1/info/tax-debt", headers=as_bakery).json()
    assert debt["on_behalf_of"]["name"]["en"] == "Beridze Bakery LLC" and debt["amount_tetri"] == 0
    refused = portal.http.get("/v1/info/tax-debt", headers={**giorgi, "X-Act-For": BAKERY})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_representative"

    end = portal.http.delete(f"/v1/agency/entities/{BAKERY}/representatives/{NINO}", headers=portal.agency())
    assert end.status_code == 200
    try:
        assert portal.http.get("/v1/info/tax-debt", headers=as_bakery).status_code == 403
        assert portal.http.get("/v1/me/entities", headers=nino).json()["entities"] == []
    finally:
        restore = portal.http.put(f"/v1/agency/entities/{BAKERY}/representatives/{NINO}", json={"role": "director"},
                                  headers=portal.agency())
        assert restore.status_code == 200
    assert portal.http.get("/v1/info/tax-debt", headers=as_bakery).status_code == 200


def test_agency_back_office_needs_the_agency_key(portal: Portal) -> None:
    nino = portal.login(NINO)
    response = portal.http.delete(f"/v1/agency/entities/{BAKERY}/representatives/{NINO}", headers=nino)
    assert response.status_code == 403
    assert portal.http.get("/v1/me/entities", headers=nino).json()["entities"]
