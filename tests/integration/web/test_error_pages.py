"""403 and 404 over real HTTP: pages in the gateway's look with a way home; JSON under /api/."""
import httpx

from tests.support.operations_pages import site  # noqa: F401  (a fixture)

STYLESHEET = 'href="/assets/gateway.css"'
HOME_LINK = '<a href="/">Back to the home page</a>'


def test_an_unknown_address_is_a_page_not_found_in_the_gateways_look(site):
    with site.client() as client:
        answer = client.get("/no-such-page")
    assert (answer.status_code, answer.headers["content-type"].split(";")[0]) == (404, "text/html")
    assert "Page not found" in answer.text and STYLESHEET in answer.text and HOME_LINK in answer.text
    assert "The requested URL was not found on the server" not in answer.text, "not Werkzeug's bare page"


def test_a_signed_in_person_keeps_the_navigation_on_404_and_403(site):
    with site.sign_in("ops") as client:
        missing = client.get("/purchase-orders/NOSUCHPO")
        refused = client.get("/users")
    assert missing.status_code == 404 and "Page not found" in missing.text and "ops (ops)" in missing.text
    assert refused.status_code == 403 and "Not allowed" in refused.text and "ops (ops)" in refused.text
    for answer in (missing, refused):
        assert STYLESHEET in answer.text and HOME_LINK in answer.text
    assert "You don't have the permission" not in refused.text, "not Werkzeug's bare page"


def test_errors_under_the_api_stay_json(site):
    missing = httpx.get(f"{site.url}/api/v1/no-such-resource", timeout=10)
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
    assert missing.json()["title"] == "Not Found"
