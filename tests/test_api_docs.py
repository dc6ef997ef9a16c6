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
