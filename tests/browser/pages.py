"""What every browser journey does first: log in through the login form, watching for script errors."""

from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import serious_violations

DEMO_PASSWORD = "thiduabloc-demo"
TEST_PASSWORD = "secret-pass-123"  # tests.factories.make_user
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def log_in(page: Page, base: str, username: str, password: str = TEST_PASSWORD):
    """Log in as username (another user's session is dropped first) and land on the to-do list."""
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()


def session(browser: Browser, live_server, username: str, viewport: dict, *, password: str = DEMO_PASSWORD):
    """A new browser context logged in as username, the login and landing pages checked by axe-core. Returns
    (context, page, problems): problems collects the page's script errors."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    assert serious_violations(page) == []
    log_in(page, live_server.url, username, password)
    assert serious_violations(page) == []
    return context, page, problems
