"""The seed's demo accounts (``seed_demo``: staff, auditor, clerk_xinye, clerk_xuchang), for
tests that run on the ``seeded`` data."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


def demo_client(username: str) -> Client:
    """A test client logged in as the demo account ``username``."""
    client = Client()
    client.force_login(demo_user(username))
    return client


#: The password of seed_demo's demo accounts.
DEMO_PASSWORD = "rectify-demo"


def browser_login(browser, site: str, username: str, *, width: int = 1280, height: int = 720,
                  scripts: bool = True):
    """A demo user logged in on a new page (Chinese, ``width`` × ``height``), and the list its
    console errors and Content-Security-Policy reports are collected in."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  java_script_enabled=scripts, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(site + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page, problems
