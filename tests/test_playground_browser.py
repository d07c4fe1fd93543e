"""The playground page in a real browser (headless Chromium driven by selenium): it loads
without console errors, trains, resets, runs presets, updates the backprop circuit, and
shows the server's messages."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import pytest
from browser import browser_missing, close_browser, open_browser

from playground.server import PlaygroundServer
from playground.session import Sessions

MISSING = browser_missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]
TIMEOUT = 20


@pytest.fixture(scope="module")
def url():
    srv = PlaygroundServer("127.0.0.1", 0, Sessions(cap=100))
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    yield srv.url
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser():
    driver = open_browser()
    yield driver
    close_browser(driver)


@pytest.fixture
def page(browser, url):
    """The page, freshly loaded and drawn; afterwards, no console error may have appeared
    but the 400 answers a test asked for (and what it adds to ``page.allowed_console``)."""
    browser.get_log("browser")  # forget what earlier tests left
    browser.allowed_console = ["the server responded with a status of 400"]
    browser.get(url)
    wait(browser, lambda d: d.execute_script("return !!(window.playground && "
                                             "window.playground.state())"))
    yield browser
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE"
              and not any(allowed in entry["message"] for allowed in browser.allowed_console)]
    assert not errors


def wait(driver, condition, timeout=TIMEOUT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)


def by_id(driver, name):
    return driver.find_element("id", name)


def iteration(driver) -> int:
    return int(by_id(driver, "iteration").text)


def play_until(driver, iterations):
    by_id(driver, "play").click()
    wait(driver, lambda d: iteration(d) >= iterations)
    by_id(driver, "play").click()
    wait(driver, lambda d: not d.execute_script("return window.playground.playing()"))


def test_the_page_loads_without_any_console_error(page):
    wait(page, lambda d: d.execute_script("return document.readyState") == "complete")
    assert page.title == "dlscratch playground"
    assert iteration(page) == 0
    assert by_id(page, "dataset").get_attribute("value") == "circles"
    # the boundary is drawn: the canvas is not blank
    blank = page.execute_script("""
        const c = document.querySelector('#lanes canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return d.every((v, i) => i % 4 === 3 || v === 0);""")
    assert not blank
    # the page-level check (no SEVERE entry, e.g. a missing favicon) runs after this test


def test_play_trains_and_the_loss_shown_falls(page):
    first = float(by_id(page, "train-loss-0").text)
    play_until(page, 300)
    shown = float(by_id(page, "train-loss-0").text)
    assert shown < first / 2
    state = page.execute_script("return window.playground.state().lanes[0]")
    assert iteration(page) == state["iteration"] >= 300
    assert shown == pytest.approx(state["train_loss"], abs=1e-3)


def test_changing_the_data_set_or_the_network_resets_the_picture(page):
    from selenium.webdriver.support.ui import Select

    play_until(page, 50)
    Select(by_id(page, "dataset")).select_by_value("spiral")
    wait(page, lambda d: iteration(d) == 0
         and d.find_element("css selector", "#lanes figcaption").text.startswith("Spiral:"))
    play_until(page, 20)
    by_id(page, "add-layer").click()
    wait(page, lambda d: by_id(d, "network-title").text == "3 HIDDEN LAYERS"
         and iteration(d) == 0)
    state = page.execute_script("return window.playground.state()")
    assert state["lanes"][0]["sizes"] == [2, 6, 4, 4, 1]
    assert len(state["lanes"][0]["units"]) == 3
    page.find_element("css selector", "#widths button[data-layer='0'][data-change='1']").click()
    wait(page, lambda d: d.execute_script(
        "return window.playground.state().lanes[0].sizes[1]") == 7)


def test_a_preset_runs(page):
    by_id(page, "preset-race").click()
    wait(page, lambda d: len(d.find_elements("css selector", "#lanes figure")) == 4)
    assert "Momentum" in by_id(page, "preset-text").text
    play_until(page, 100)
    lanes = page.execute_script("return window.playground.state().lanes")
    assert [lane["label"] for lane in lanes] == ["SGD 0.1", "Momentum 0.1", "AdaGrad 0.1",
                                                  "Adam 0.01"]
    assert all(lane["iteration"] >= 100 for lane in lanes)
    rows = page.find_elements("css selector", "#numbers tr")
    assert [row.text.split(" ")[0] for row in rows[1:]] == ["SGD", "Momentum", "AdaGrad", "Adam"]
    by_id(page, "preset-onenet_xor").click()
    wait(page, lambda d: len(d.find_elements("css selector", "#lanes figure")) == 1
         and "cannot learn XOR" in by_id(d, "preset-text").text)
    assert page.execute_script("return window.playground.state().lanes[0].sizes") == [2, 1]


def test_the_backprop_view_updates_when_an_input_changes(page):
    page.find_element("css selector", ".tab[data-view='backprop']").click()

    def wire(kind, key):
        # read in one script: the circuit is redrawn as the answers arrive
        return page.execute_script(
            "const t = document.querySelector(`#circuit text.${arguments[0]}"
            "[data-wire='${arguments[1]}']`); return t && t.textContent;", kind, key)

    wait(page, lambda d: d.find_elements("css selector", "#circuit text.value"))
    assert wire("value", "1/x") == "0.73" and wire("grad", "w0") == "-0.20"
    field = by_id(page, "neuron-x0")
    field.clear()
    field.send_keys("2")
    f = 1 / (1 + math.exp(-(2 * 2 + (-3) * (-2) - 3)))
    wait(page, lambda d: wire("value", "x0") == "2.00")
    assert wire("value", "1/x") == f"{f:.2f}"
    assert wire("grad", "w0") == f"{f * (1 - f) * 2:.2f}"
    assert by_id(page, "circuit").is_displayed() and not by_id(page, "train").is_displayed()


def test_a_bad_value_typed_in_a_field_shows_the_servers_message(page):
    from selenium.webdriver.common.keys import Keys

    field = by_id(page, "lr")
    field.clear()
    field.send_keys("-1", Keys.TAB)
    message = by_id(page, "message")
    wait(page, lambda d: message.is_displayed())
    assert message.text == "lr must be a number in (0, 10], got -1"
    field.clear()
    field.send_keys("fast", Keys.TAB)
    wait(page, lambda d: message.text == 'lr must be a number in (0, 10], got "fast"')
    field.clear()
    field.send_keys("0.01", Keys.TAB)
    wait(page, lambda d: not message.is_displayed())


def test_a_diverging_run_pauses_and_says_what_to_do(page):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    Select(by_id(page, "optimizer")).select_by_value("sgd")
    for name, value in (("lr", "10"), ("l2", "1")):
        by_id(page, name).clear()
        by_id(page, name).send_keys(value, Keys.TAB)
    wait(page, lambda d: d.execute_script("return window.playground.config().l2") == 1)
    by_id(page, "play").click()
    message = by_id(page, "message")
    wait(page, lambda d: message.is_displayed() and "diverged" in message.text)
    assert "Lower the learning rate (now 10; try 1)" in message.text
    wait(page, lambda d: not d.execute_script("return window.playground.playing()"))


def test_an_expired_session_is_replaced_without_a_word(page):
    play_until(page, 30)
    page.allowed_console.append("/step - Failed to load resource: the server responded with "
                                "a status of 404")
    # the server forgets the session, as it does after 15 idle minutes
    page.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const sessions = performance.getEntriesByType('resource')
            .map((e) => e.name.match(new RegExp("sessions/([^/]+)/step"))).filter(Boolean);
        fetch(`/api/sessions/${sessions.at(-1)[1]}`, {method: 'DELETE'}).then(done);""")
    by_id(page, "step").click()
    wait(page, lambda d: iteration(d) == 0
         and not d.execute_script("return window.playground.playing()"))
    assert not by_id(page, "message").is_displayed()
    play_until(page, 20)


SHOTS = os.environ.get("PLAYGROUND_SCREENSHOTS")


@pytest.mark.skipif(not SHOTS, reason="set PLAYGROUND_SCREENSHOTS=docs/playground to write "
                                      "the README's screenshots")
def test_screenshots_for_the_readme(url):
    """The main view after 1000 iterations of the defaults, the optimizer race after 1000,
    and the backprop view."""
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    driver = open_browser(1400, 1180)
    try:
        driver.get(url)
        wait(driver, lambda d: d.execute_script("return !!(window.playground && "
                                                "window.playground.state())"))
        play_until(driver, 1000)
        driver.set_window_size(1400, 960)  # the main view is shorter than the race's
        driver.save_screenshot(str(folder / "main.png"))
        driver.set_window_size(1400, 1180)
        by_id(driver, "preset-race").click()
        wait(driver, lambda d: len(d.find_elements("css selector", "#lanes figure")) == 4)
        play_until(driver, 1000)
        driver.save_screenshot(str(folder / "race.png"))
        driver.set_window_size(1400, 800)
        driver.find_element("css selector", ".tab[data-view='backprop']").click()
        wait(driver, lambda d: d.find_elements("css selector", "#circuit text.value"))
        driver.save_screenshot(str(folder / "backprop.png"))
    finally:
        close_browser(driver)
    for name in ("main.png", "race.png", "backprop.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
