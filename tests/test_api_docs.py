"""The interactive docs: served from this site, under the site's Content-Security-Policy."""


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html
    script = client.get("/api/docs/?script=")
    assert script.headers["Content-Type"] == "application/javascript"
    assert b"/api/schema/" in script.content


def test_every_operation_documents_throttling_unavailability_and_304s(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200
    document = schema.json()
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 20
    for path, method, operation in operations:
        responses = operation["responses"]
        assert "Retry-After" in responses["429"]["headers"], (path, method)
        assert "Retry-After" in responses["503"]["headers"], (path, method)
        assert ("304" in responses) == (method == "get"), (path, method)
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
