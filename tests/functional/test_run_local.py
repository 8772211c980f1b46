"""scripts/run-local.sh with the built binaries (TIM_BIN_DIR: no build here): a service that
cannot start or dies later is named with its last log lines, the others are stopped, the script
exits 1; Ctrl-C stops all four and exits 0."""
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

from harness import BIN_DIR, ROOT, free_port, wait_for

SCRIPT = ROOT / "scripts" / "run-local.sh"
SERVICES = ["expected_date_svc", "auth_svc", "invoices_svc", "gateway"]


def environment(tmp_path, **overrides):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TIM_BIN_DIR": str(BIN_DIR),
           "DATA_DIR": str(tmp_path / "data"), "LOG_DIR": str(tmp_path / "logs"),
           "GATEWAY_PORT": str(free_port()), "GATEWAY_ADMIN_PORT": str(free_port()),
           "AUTH_PORT": str(free_port()), "INVOICES_PORT": str(free_port()),
           "EXPECTED_DATE_PORT": str(free_port()), "READY_TIMEOUT_S": "60"}
    env.update(overrides)
    return env


def children(pid):
    """name -> pid of the services the script started."""
    found = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            full = [s for s in SERVICES if s[:15] == name]  # the kernel keeps 15 characters
            if int(fields[1].split()[1]) == pid and full:
                found[full[0]] = int(stat.parent.name)
        except (OSError, IndexError, ValueError):
            continue
    return found


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def start(env):
    return subprocess.Popen([str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_running(script):
    """Reads the script's output until it says TIM is running."""
    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = script.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("TIM is running"):
            return
    script.kill()
    pytest.fail("run-local.sh never said it was running:\n" + "".join(seen) + script.stderr.read())


def test_a_service_that_cannot_start_is_named_and_the_others_stopped(tmp_path):
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    env = environment(tmp_path, INVOICES_PORT=str(held.getsockname()[1]))
    done = subprocess.run([str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    held.close()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "TIM is running" not in done.stdout
    assert "FAILED: invoices_svc exited with status" in done.stderr, done.stderr
    assert "Address already in use" in done.stderr  # its own log line, shown
    for port in (env["EXPECTED_DATE_PORT"], env["AUTH_PORT"], env["GATEWAY_PORT"]):
        assert not listening(port)


def test_a_service_not_ready_in_time_is_named(tmp_path):
    done = subprocess.run([str(SCRIPT)], cwd=ROOT, env=environment(tmp_path, READY_TIMEOUT_S="0"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED: expected_date_svc did not become ready within 0 s" in done.stderr, done.stderr


def test_a_service_that_dies_later_stops_the_others(tmp_path):
    env = environment(tmp_path)
    script = start(env)
    try:
        wait_running(script)
        started = children(script.pid)
        assert sorted(started) == sorted(SERVICES), started
        os.kill(started["auth_svc"], signal.SIGKILL)
        try:
            script.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(script.pid, signal.SIGKILL)
            pytest.fail(f"run-local.sh still running 120 s after auth_svc died; services "
                        f"left: {children(script.pid)}; stderr:\n{script.stderr.read()}")
        assert script.returncode == 1
        err = script.stderr.read()
        assert "FAILED: auth_svc exited with status 137 while running" in err, err
        assert "stopping the other services" in err
        wait_for(lambda: not any(pathlib.Path(f"/proc/{p}").exists() for p in started.values()),
                 what="every service to end")
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)


def test_ctrl_c_stops_all_four_and_exits_0(tmp_path):
    script = start(environment(tmp_path))
    try:
        wait_running(script)
        started = children(script.pid)
        assert len(started) == 4
        os.killpg(script.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
        assert script.wait(timeout=120) == 0, script.stderr.read()
        assert "stopped" in script.stdout.read()
        wait_for(lambda: not any(pathlib.Path(f"/proc/{p}").exists() for p in started.values()),
                 what="every service to end")
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
