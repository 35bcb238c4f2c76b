def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_login_and_dashboard(client, auth, world):
    response = auth.login("secretary")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Jiguan branch" in page


def test_roster(client, auth, world):
    auth.login("secretary")
    response = client.get("/members/")
    assert response.status_code == 200
    assert "Member J" in response.get_data(as_text=True)
    assert "Member C" not in response.get_data(as_text=True)
