"""Long fields and uploads in a real browser: the characters left are counted down, a file over
the limit is refused at its input before anything is sent, and a request the server finds too
large leaves the page with what was typed, the limit named in a message."""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)

TITLE = "学习二十届三中全会精神"  # 11 characters


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_typed_log_survives_a_file_over_the_limit(app, open_page, screenshot_path, width, height):
    app.config["MAX_UPLOAD_MB"] = 1  # read by the templates, so the page announces 1 MB
    with open_page(width, height) as watched:
        page = watched.page
        watched.sign_in("member")
        page.goto("/logs/new")
        counter = page.locator("#title-chars-left")
        expect(counter).to_have_text("还可输入 200 字")
        page.fill("#title", TITLE)
        expect(counter).to_have_text("还可输入 189 字")
        page.fill("#text", "在线学习了新修订的条例，并做了笔记。")
        page.fill("#hours", "1.5")

        posts: list[str] = []
        page.on(
            "request",
            lambda request: posts.append(request.url) if request.method == "POST" else None,
        )
        big = {
            "name": "结业证书.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-" + b"0" * (1024 * 1024),
        }
        page.set_input_files("#log-files", files=[big])
        error = page.locator("#log-files-size-error")
        expect(error).to_contain_text("结业证书.pdf")
        expect(error).to_contain_text("超过 1 MB")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_timeout(300)
        assert posts == []  # nothing was sent
        expect(page.locator("#log-files")).to_be_focused()
        expect(page.locator("#title")).to_have_value(TITLE)
        page.screenshot(path=screenshot_path(f"log-file-too-large-{width}"), full_page=True)

        # Past the check (several files together, an old page): the server's 413 keeps the page.
        app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
        page.evaluate("document.querySelector('#log-files').removeAttribute('data-max-bytes')")
        page.click("form[enctype] button[type=submit]")
        flash = page.locator("#flashes .alert-danger")
        expect(flash).to_contain_text("每个文件不超过 1 MB")
        expect(page.locator("#title")).to_have_value(TITLE)
        expect(page.locator("#hours")).to_have_value("1.5")
        assert page.url.endswith("/logs/new")
        page.screenshot(path=screenshot_path(f"log-request-too-large-{width}"), full_page=True)
        watched.assert_clean()
