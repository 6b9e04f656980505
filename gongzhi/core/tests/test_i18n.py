def test_pages_are_chinese_by_default_and_english_on_request(client, db):
    page = client.get("/accounts/login/")
    assert "登录" in page.content.decode()
    assert 'lang="zh-hans"' in page.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/login/")
    html = page.content.decode()
    assert 'lang="en"' in html
    assert "Sign in" in html and "Password" in html
