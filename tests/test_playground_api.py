"""The playground's HTTP API against a real server on a free loopback port: every endpoint,
the refusals (400, 404, 405, 413, 415, 503, 403), path traversal, sessions, a load test."""

from __future__ import annotations

import http.client
import json
import math
import signal
import subprocess
import sys
import threading
import time

import pytest

from playground.server import PlaygroundServer, is_loopback
from playground.session import Sessions


def start(sessions: Sessions) -> PlaygroundServer:
    """A server on a free loopback port, serving from a thread."""
    srv = PlaygroundServer("127.0.0.1", 0, sessions)
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def server():
    srv = start(Sessions(cap=100, ttl=600))
    yield srv
    srv.shutdown()
    srv.server_close()


class Client:
    """One keep-alive connection; ``call`` returns (status, headers, decoded body)."""

    def __init__(self, srv: PlaygroundServer) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.server_port, timeout=30)

    def call(self, method, path, body=None, headers=None, raw=None):
        headers = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        if response.getheader("Content-Type", "").startswith("application/json"):
            content = json.loads(content)
        return response.status, response, content


@pytest.fixture
def client(server):
    return Client(server)


def new_session(client, **settings):
    status, _, answer = client.call("POST", "/api/sessions", settings)
    assert status == 201, answer
    return answer["session"], answer


def test_the_page_and_its_files_are_served_with_a_strict_policy(client):
    status, response, page = client.call("GET", "/")
    assert status == 200 and response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b'<script type="module" src="/static/main.js">' in page
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    for name, kind in (("style.css", "text/css"), ("main.js", "text/javascript"),
                       ("api.js", "text/javascript"), ("draw.js", "text/javascript"),
                       ("backprop.js", "text/javascript"), ("favicon.svg", "image/svg+xml")):
        status, response, _ = client.call("GET", f"/static/{name}")
        assert status == 200 and response.getheader("Content-Type").startswith(kind)
    # nothing is fetched from elsewhere: no http(s) address in the page or its scripts
    for name in ("/", "/static/main.js", "/static/draw.js", "/static/style.css"):
        assert b"http://" not in client.call("GET", name)[2].replace(b"http://www.w3.org", b"")
        assert b"https://" not in client.call("GET", name)[2]


@pytest.mark.parametrize("path", [
    "/static/../server.py", "/static/..%2fserver.py", "/static/%2e%2e/config.py",
    "/static/%2e%2e%2f%2e%2e%2fREADME.md", "/static//etc/passwd", "/../../etc/passwd",
    "/static/..\\server.py", "/static/", "/static/static/main.js", "/playground/server.py",
    "/etc/passwd", "/static/main.js%00.html", "/index.html/..",
])
def test_no_path_reaches_a_file_outside_the_static_folder(client, path):
    status, _, answer = client.call("GET", path)
    assert status == 404 and "no such" in answer["error"]


def test_options_list_what_the_controls_offer(client):
    status, _, options = client.call("GET", "/api/options")
    assert status == 200
    assert list(options["datasets"])[:6] == ["circles", "xor", "blobs", "spiral", "moons", "iris"]
    assert options["optimizers"] == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
                                    "adamw"]
    assert options["activations"] == ["relu", "sigmoid", "tanh"]
    assert options["limits"] == {"layers": 6, "width": 32, "points": 2000, "iterations": 500}
    assert set(options["presets"]) == {"onenet_and", "onenet_or", "onenet_xor", "twonet_xor",
                                       "circles_2", "race"}
    assert options["defaults"]["hidden"] == [6, 4]


def test_a_session_trains_step_by_step(client):
    key, answer = new_session(client, points=100, train_ratio=0.6)
    assert answer["config"]["points"] == 100
    assert len(answer["data"]["x"]) == 100 and answer["data"]["train_count"] == 60
    (lane,) = answer["lanes"]
    assert lane["iteration"] == 0 and len(lane["boundary"]) == 4800  # 3600 bytes in base64
    first = lane["train_loss"]
    for i in range(1, 31):
        status, _, state = client.call("POST", f"/api/sessions/{key}/step", {"iterations": 10})
        assert status == 200 and state["lanes"][0]["iteration"] == 10 * i
        assert "data" not in state  # the points are sent only when they change
    assert state["lanes"][0]["train_loss"] < first / 2
    status, _, state = client.call("POST", f"/api/sessions/{key}/step",
                                   {"iterations": 0, "grid": 20})
    assert len(state["lanes"][0]["boundary"]) == 4 * math.ceil(400 / 3)  # 20 × 20 bytes
    # new settings start the same session afresh
    status, _, state = client.call("POST", f"/api/sessions/{key}/config", {"dataset": "spiral"})
    assert status == 200 and state["lanes"][0]["iteration"] == 0
    assert state["data"]["title"] == "Spiral" and len(state["data"]["x"]) == 300
    status, _, answer = client.call("DELETE", f"/api/sessions/{key}")
    assert status == 200
    status, _, answer = client.call("POST", f"/api/sessions/{key}/step", {})
    assert status == 404 and "expired" in answer["error"]


@pytest.mark.parametrize("settings, message", [
    ({"lr": -1}, "lr must be a number in (0, 10], got -1"),
    ({"lr": "fast"}, 'lr must be a number in (0, 10], got "fast"'),
    ({"hidden": [8] * 7}, "hidden must be a list of at most 6 layer widths"),
    ({"hidden": [64]}, "hidden[0] (units in hidden layer 1) must be a whole number in [1, 32]"),
    ({"points": 100000}, "points must be a whole number in [10, 2000], got 100000"),
    ({"noise": 1e400}, "noise must be a number"),
    ({"dataset": "../../etc/passwd"}, "dataset must be one of"),
    ({"nonsense": 1}, "unknown setting 'nonsense'"),
])
def test_bad_settings_get_400_and_a_message(client, settings, message):
    status, response, answer = client.call("POST", "/api/sessions", settings)
    assert status == 400 and response.getheader("Content-Type") == "application/json"
    assert message in answer["error"]
    key, _ = new_session(client)
    status, _, answer = client.call("POST", f"/api/sessions/{key}/config", settings)
    assert status == 400 and message in answer["error"]


@pytest.mark.parametrize("body, message", [
    ({"iterations": 100000}, "iterations must be a whole number in [0, 500]"),
    ({"iterations": -1}, "iterations must be"),
    ({"grid": 1000}, "grid must be a whole number in [10, 100]"),
    ({"grid": "big"}, "grid must be"),
    ({"turbo": True}, "unknown field(s) turbo"),
    ([1, 2], "a step request must be a JSON object"),
])
def test_bad_steps_get_400_and_a_message(client, body, message):
    key, _ = new_session(client)
    status, _, answer = client.call("POST", f"/api/sessions/{key}/step", body)
    assert status == 400 and message in answer["error"]


def test_malformed_requests_are_refused_and_the_server_keeps_serving(client, server):
    cases = [
        ({"raw": b"{not json", "headers": {"Content-Type": "application/json"}}, 400,
         "not valid JSON"),
        ({"raw": b"[" * 5000 + b"]" * 5000, "headers": {"Content-Type": "application/json"}},
         400, "not valid JSON"),
        ({"raw": b"\xff\xfe", "headers": {"Content-Type": "application/json"}}, 400,
         "not valid JSON"),
        ({"raw": b"lr=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
         415, "application/json"),
        ({"raw": b"{}" + b" " * 20000, "headers": {"Content-Type": "application/json"}}, 413,
         "at most 16384 bytes"),
        ({"body": "just a text"}, 400, "the settings must be a JSON object"),
    ]
    for kwargs, expected, message in cases:
        fresh = Client(server)  # a refused body may close the connection
        status, _, answer = fresh.call("POST", "/api/sessions", **kwargs)
        assert status == expected and message in answer["error"], (kwargs, answer)
    assert client.call("GET", "/api/options")[0] == 200


def test_unknown_paths_methods_and_sessions(client):
    assert client.call("GET", "/api/nothing")[0] == 404
    assert client.call("POST", "/api/options", {})[0] == 404
    status, _, answer = client.call("GET", "/api/sessions/abc/step")
    assert status == 405 and "takes POST" in answer["error"]
    status, _, answer = client.call("POST", "/api/sessions/no-such-id/step", {})
    assert status == 404 and "start a new one" in answer["error"]
    assert client.call("DELETE", "/api/sessions/no-such-id")[0] == 404
    assert client.call("POST", "/api/sessions/a.b/step", {})[0] == 404


def test_another_host_name_is_refused(client):
    status, _, answer = client.call("GET", "/api/options", headers={"Host": "evil.example:80"})
    assert status == 403 and "loopback" in answer["error"]
    for host in ("localhost:1234", "127.0.0.1", "[::1]:80", "[::1]"):
        assert client.call("GET", "/", headers={"Host": host})[0] == 200
    assert client.call("GET", "/", headers={"Host": "[evil]:80"})[0] == 403


def test_a_diverging_run_says_so(client):
    key, _ = new_session(client, optimizer="sgd", lr=10, l2=1)
    status, _, state = client.call("POST", f"/api/sessions/{key}/step", {"iterations": 200})
    assert status == 200
    (lane,) = state["lanes"]
    assert "training diverged" in lane["diverged"] and "Lower the learning rate" in lane["diverged"]
    assert lane["iteration"] < 200 and math.isfinite(lane["train_loss"])


def test_the_backprop_circuit_is_cs231n_s_neuron(client):
    status, _, answer = client.call("POST", "/api/backprop", {})
    assert status == 200
    values, grads = answer["values"], answer["grads"]
    assert round(values["1/x"], 2) == 0.73
    assert [round(grads[k], 2) for k in ("w0", "x0", "w1", "x1", "w2")] == [
        -0.2, 0.39, -0.39, -0.59, 0.2]
    inputs = {"w0": 1.5, "x0": 2.0, "w1": -0.5, "x1": 1.0, "w2": 0.25}
    status, _, answer = client.call("POST", "/api/backprop", inputs)
    f = 1 / (1 + math.exp(-(1.5 * 2.0 - 0.5 * 1.0 + 0.25)))
    assert answer["values"]["1/x"] == pytest.approx(f)
    assert answer["grads"]["x0"] == pytest.approx(f * (1 - f) * 1.5)
    assert answer["grads"]["w2"] == pytest.approx(f * (1 - f))
    for bad, message in (({"x0": "two"}, 'x0 must be a number in [-10, 10], got "two"'),
                         ({"x0": 11}, "x0 must be"), ({"b": 1}, "unknown input(s) b")):
        status, _, answer = client.call("POST", "/api/backprop", bad)
        assert status == 400 and message in answer["error"]


def test_tabs_train_independently_at_the_same_time(server):
    results, errors = {}, []

    def tab(name, seed):
        try:
            client = Client(server)
            key, _ = new_session(client, seed=seed, points=100)
            for _ in range(10):
                _, _, state = client.call("POST", f"/api/sessions/{key}/step", {"grid": 20})
            results[name] = state["lanes"][0]
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=tab, args=(f"tab{i}", i % 2)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(lane["iteration"] == 100 for lane in results.values())
    # the same seed gives the same numbers, whatever the other tabs did meanwhile
    assert results["tab0"] == results["tab2"] and results["tab1"] == results["tab3"]
    assert results["tab0"]["train_loss"] != results["tab1"]["train_loss"]


def test_sessions_are_capped_and_expire():
    now = [0.0]
    srv = start(Sessions(cap=2, ttl=60, clock=lambda: now[0]))
    try:
        client = Client(srv)
        first, _ = new_session(client, points=20)
        new_session(client, points=20)
        status, _, answer = client.call("POST", "/api/sessions", {"points": 20})
        assert status == 503 and "close other playground tabs" in answer["error"]
        now[0] = 61
        status, _, answer = client.call("POST", f"/api/sessions/{first}/step", {})
        assert status == 404 and "expired" in answer["error"]
        new_session(client, points=20)  # the expired ones made room
    finally:
        srv.shutdown()
        srv.server_close()


def test_load_several_clients_stepping_get_only_valid_answers(server):
    """4 clients step for 2 seconds each on loopback: every answer is valid, none fails."""
    errors, counts = [], []

    def client_loop(seed):
        client = Client(server)
        key, _ = new_session(client, seed=seed)
        expected, deadline = 0, time.monotonic() + 2
        while time.monotonic() < deadline:
            status, _, state = client.call("POST", f"/api/sessions/{key}/step", {})
            expected += 10
            lane = state["lanes"][0] if status == 200 else {}
            if (status != 200 or lane["iteration"] != expected
                    or not 0 <= lane["train_loss"] < 10 or lane["diverged"]
                    or len(lane["boundary"]) != 4800):
                errors.append((status, state))
                return
        counts.append(expected // 10)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(counts) == 4
    assert min(counts) >= 5  # each client was served many times, none starved


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")


def test_python_m_playground_serves_and_stops_on_ctrl_c():
    proc = subprocess.Popen([sys.executable, "-m", "playground", "--port", "0", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Playground at http://127.0.0.1:"), line
        port = int(line.split(":")[2].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "stopped" in out and "Traceback" not in err


def test_a_port_in_use_is_a_clear_error(server):
    proc = subprocess.run([sys.executable, "-m", "playground", "--port",
                           str(server.server_port), "--no-browser"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "cannot listen on 127.0.0.1" in proc.stderr and "--port" in proc.stderr


def test_a_host_that_is_not_loopback_gets_a_warning():
    proc = subprocess.Popen([sys.executable, "-m", "playground", "--host", "0.0.0.0", "--port",
                             "0", "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("Playground at http://0.0.0.0:")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert "not a loopback address" in err



def test_the_benchmark_times_real_step_requests():
    from benchmarks.bench_playground import describe, playground_case

    result = playground_case(repeat=1)
    assert result["requests"] == 40
    assert 0 < result["min_s"] <= result["median_s"] <= result["max_s"]
    assert set(result["parts_median_ms"]) == {"train", "pictures", "json"}
    assert "target median <= 25 ms" in describe(result)
