"""Starts the real service binaries on free loopback ports and talks HTTP to them.

Also fake peers (a predictor that hangs, an auth service that records what it was asked, …)
so that each test can put one real service between controlled neighbours.
"""

import http.client
import http.server
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import contract

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("TIM_BIN_DIR", ROOT / "build" / "test" / "services"))
ROUTES_FILE = ROOT / "kube" / "overlays" / "emissary" / "routes.yaml"
TOKEN = "letmeinpleasekthxbye"
# Sanitized Debug binaries (scripts/test.sh's sanitizer stage) start and stop several times
# slower: the harness's own waits for start, stop and conditions are multiplied by this.
TIMEOUT_FACTOR = float(os.environ.get("TIM_TIMEOUT_FACTOR", "1"))
# Passed on to every service, so that a sanitizer's settings reach the binaries under test.
SANITIZER_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Markers of a report a sanitizer, the C++ runtime or the kernel leaves in a crashed process's
# output: any of them in a service's log fails the test that started it.
CRASH_MARKERS = ("Sanitizer", "runtime error:", "terminate called", "Segmentation fault", "core dumped",
                 "Assertion `", "stack-buffer", "heap-use-after-free")
# Every Service started in this process, in order: conftest checks the ones a test started.
STARTED = []


class _Process(subprocess.Popen):
    """A child process that remembers the signals the test sent it, so that an exit the test
    caused (SIGKILL on purpose) can be told from one it did not (a crash)."""

    def __init__(self, *args, **kwargs):
        self.signals_sent = []
        super().__init__(*args, **kwargs)

    def send_signal(self, sig):
        if self.poll() is None:
            self.signals_sent.append(sig)
        super().send_signal(sig)


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class Service:
    """One real binary: started with an environment, stopped by signal, logs kept in a file."""

    def __init__(self, name, env=None, port=None):
        self.name = name
        self.port = port or free_port()
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOST": "127.0.0.1",
                    "PORT": str(self.port), "LOG_LEVEL": "debug"}
        full_env.update({k: os.environ[k] for k in SANITIZER_ENV if k in os.environ})
        full_env.update(env or {})
        if name == "gateway":
            # /metrics and /readyz are on the admin port (8877 by default): a free one per test.
            full_env.setdefault("ADMIN_PORT", str(free_port()))
        self.admin_port = int(full_env["ADMIN_PORT"]) if "ADMIN_PORT" in full_env else self.port
        if name == "invoices_svc" and "DATA_DIR" not in full_env and "DATABASE_URL" not in full_env:
            # A store of its own, so that tests never share or leave invoices behind.
            full_env["DATA_DIR"] = tempfile.mkdtemp(prefix="tim-invoices-")
        self.env = full_env
        self.processes = []  # every process of this service (restart adds one), for the stop check
        self.stop_timed_out = []  # pids that had to be killed after a stop signal
        STARTED.append(self)
        self._spawn()

    def _spawn(self):
        self.process = _Process([str(BIN_DIR / self.name / self.name)], env=self.env,
                                stdout=self.log_file, stderr=subprocess.STDOUT)
        self.processes.append(self.process)
        try:
            self.wait_ready()
        except RuntimeError:
            # Already reported by the exception (a test may expect it): not again at the stop.
            self.processes.remove(self.process)
            self.process.kill()
            self.process.wait()
            raise

    def wait_ready(self, timeout=10.0):
        """Until the port accepts and the process has logged "listening": that line comes once
        its SIGTERM handler is in place, so a stop signal from now on is a clean stop."""
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        quiet = self.env.get("LOG_LEVEL") in ("warn", "error", "off")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                if quiet or self.logs().count('"msg":"listening"') >= len(self.processes):
                    return
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not start listening: {self.logs()}")

    def restart(self):
        """Stops the process (if running) and starts the binary again with the same environment
        on the same port."""
        self.stop()
        self._spawn()

    def logs(self):
        return pathlib.Path(self.log_file.name).read_text(errors="replace")

    def log_lines(self):
        """Every complete line of the log, parsed: a line that is not a JSON object fails (the
        contract is one JSON object a line). A last line without its newline is still being
        written and is left for the next read."""
        lines = self.logs().split("\n")[:-1]
        parsed = []
        for number, line in enumerate(lines, 1):
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            if not isinstance(value, dict):
                raise AssertionError(f"{self.name}'s log line {number} is not a JSON object: {line!r}")
            parsed.append(value)
        return parsed

    def last_log_lines(self, count=20):
        return "\n".join(self.logs().splitlines()[-count:])

    def wait_for_log(self, match, count=1, timeout=5.0):
        """The log lines `match` accepts, once there are at least `count` of them: lines reach
        the output on a timer, so reading once right after a request can miss them."""
        def matching():
            lines = [line for line in self.log_lines() if match(line)]
            return lines if len(lines) >= count else None
        return wait_for(matching, timeout=timeout, what=f"{count} matching log line(s) from {self.name}")

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.process.poll() is None:
            stopping = {signal.SIGTERM, signal.SIGINT}
            # Already told to stop (the test sent SIGTERM): wait for it, a second signal could
            # land after the handler is gone and kill it.
            if not (sig in stopping and stopping & set(self.process.signals_sent)):
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout * TIMEOUT_FACTOR)
            except subprocess.TimeoutExpired:
                self.stop_timed_out.append(self.process.pid)
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def exit_problems(self):
        """What was wrong with how this service's processes ended (call once they are stopped):
        an exit the test did not cause, a non-zero exit after SIGTERM/SIGINT, a crash, a
        sanitizer report, a log line that is not JSON. Empty when all is well."""
        if not self.processes:
            return []  # it never started: its constructor raised, with its output
        problems = []
        for process in self.processes:
            code = process.poll()
            sent = [s for s in process.signals_sent if s not in (signal.SIGSTOP, signal.SIGCONT)]
            if getattr(process, "exit_expected", False) and code is not None and code > 0 and not sent:
                continue  # the test made it exit by itself (a failpoint) and said so
            if code is None:
                problems.append(f"pid {process.pid} is still running")
            elif process.pid in self.stop_timed_out:
                problems.append(f"pid {process.pid} did not exit within the stop timeout after "
                                f"{', '.join(_signal_name(s) for s in sent)}: killed")
            elif not sent:
                problems.append(f"pid {process.pid} exited by itself during the test with "
                                + (f"{_signal_name(-code)}" if code < 0 else f"code {code}"))
            elif code < 0 and -code not in sent:
                problems.append(f"pid {process.pid} died of {_signal_name(-code)} "
                                f"(the test sent {', '.join(_signal_name(s) for s in sent)})")
            elif code > 0 or (code < 0 and -code in (signal.SIGTERM, signal.SIGINT)):
                how = f"died of {_signal_name(-code)}" if code < 0 else f"exited with code {code}"
                problems.append(f"pid {process.pid} {how} after "
                                f"{', '.join(_signal_name(s) for s in sent)} (a clean stop is exit code 0)")
        text = self.logs()
        killed = any(-p.returncode == signal.SIGKILL for p in self.processes if p.returncode is not None)
        for marker in CRASH_MARKERS:
            if marker in text:
                problems.append(f"its output holds a crash or sanitizer report ({marker!r})")
                break
        complete = text if text.endswith("\n") or killed else text + "\n"
        for number, line in enumerate(complete.split("\n")[:-1], 1):
            try:
                ok = isinstance(json.loads(line), dict)
            except ValueError:
                ok = False
            if not ok:
                problems.append(f"its log line {number} is not a JSON object: {line[:300]!r}")
                break
        return problems

    def check_stopped(self, timeout=10.0):
        """Stops the service if it still runs, then fails naming it and its last log lines if
        it ended badly (see exit_problems)."""
        self.stop(timeout=timeout)
        problems = self.exit_problems()
        if problems:
            raise AssertionError(f"{self.name} (port {self.port}, log {self.log_file.name}): "
                                 + "; ".join(problems) + "\nlast log lines:\n" + self.last_log_lines())


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> list of values
        self.body = body

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json(self):
        return json.loads(self.body)


# Fake peers alive now. While any is, answers are not checked against docs/openapi.yaml: a
# test's scripted auth service or upstream answers what the test needs, not the product's API.
_fakes_alive = set()
_fakes_lock = threading.Lock()


def _fake_started(fake):
    with _fakes_lock:
        _fakes_alive.add(id(fake))


def _fake_stopped(fake):
    with _fakes_lock:
        _fakes_alive.discard(id(fake))


def request(port, method, path, headers=None, body=None, timeout=10.0):
    """Sends one request on a new connection. The answer must be one docs/openapi.yaml allows
    (contract.py: a documented status and, for JSON, a body matching its schema)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        explicit_host = any(name.lower() == "host" for name in (headers or {}))
        conn.putrequest(method, path, skip_host=explicit_host, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        data = body.encode() if isinstance(body, str) else body
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        res = conn.getresponse()
        collected = {}
        for name, value in res.getheaders():
            collected.setdefault(name.lower(), []).append(value)
        answer = Response(res.status, collected, res.read())
    finally:
        conn.close()
    with _fakes_lock:
        check_contract = not _fakes_alive
    if check_contract:
        found = contract.problems(method, path, answer.status, answer.headers, answer.body)
        assert not found, "the answer breaks docs/openapi.yaml:\n" + "\n".join(found)
    return answer


def post_json(port, path, payload, headers=None, timeout=10.0):
    all_headers = {"content-type": "application/json"}
    all_headers.update(headers or {})
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return request(port, "POST", path, all_headers, body, timeout=timeout)


def get(port, path, headers=None, timeout=10.0):
    return request(port, "GET", path, headers, timeout=timeout)


def raw_exchange(port, data, timeout=3.0):
    """Sends bytes as they are and returns everything received until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            chunks.append(b"<timeout: connection still open>")
        return b"".join(chunks)


class FakePeer:
    """A scripted HTTP/1.1 server in a thread that records every request it gets.

    `behaviour(request)` returns (status, headers, body) or None to hang until stopped.
    """

    def __init__(self, behaviour):
        self.requests = []
        self.behaviour = behaviour
        self._stop = threading.Event()
        _fake_started(self)
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = {"method": self.command, "path": self.path,
                            "headers": [(k.lower(), v) for k, v in self.headers.items()],
                            "body": body, "client_port": self.client_address[1]}
                peer.requests.append(recorded)
                answer = peer.behaviour(recorded)
                if answer is None:
                    peer._stop.wait(60)
                    self.close_connection = True
                    return
                status, headers, payload = answer
                payload = payload.encode() if isinstance(payload, str) else payload
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _any

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128  # socketserver's 5 resets connections under a burst

            def handle_error(self, request, client_address):
                # A client that went away before the answer (a service stopped, a timeout) is
                # part of the tests, not an error of the fake's.
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def header_of(self, index, name):
        return [v for k, v in self.requests[index]["headers"] if k == name.lower()]

    def stop(self):
        _fake_stopped(self)
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port():
    """A loopback port nothing listens on."""
    return free_port()


def write_routes(tmp_path, auth_port=None, auth_timeout_ms=5000, route_timeout_ms=3000,
                 invoices_service="invoices-svc"):
    """A route file like the repository's, with test timeouts."""
    text = ROUTES_FILE.read_text()
    text = text.replace("timeout_ms: 3000", f"timeout_ms: {route_timeout_ms}")
    text = text.replace("timeout_ms: 5000", f"timeout_ms: {auth_timeout_ms}")
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    return path


def start_gateway(tmp_path, invoices_port, auth_port, **route_options):
    routes = write_routes(tmp_path, **route_options)
    return Service("gateway", {
        "ROUTES_FILE": str(routes),
        "UPSTREAMS": f"invoices-svc=127.0.0.1:{invoices_port},auth-svc:3000=127.0.0.1:{auth_port}",
    })


# --- fault injection helpers (test_faults.py) -------------------------------------------------

def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` passes."""
    timeout *= TIMEOUT_FACTOR
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def metrics_text(port):
    """The /metrics page; a port that does not serve it (the gateway's public one) fails here
    instead of reading as zero samples."""
    r = get(port, "/metrics")
    assert r.status == 200, f"/metrics on port {port} answered {r.status}"
    return r.body.decode()


def metric_sum(text, name, **labels):
    """Sum of the samples of metric `name` whose labels include all of `labels` (0 if none)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def rss_kib(pid):
    """Resident memory of a process, from /proc/<pid>/status."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def upstreams_value(invoices_ports, auth_port):
    """UPSTREAMS for the gateway; several invoices_svc instances are separated by '|'."""
    ports = invoices_ports if isinstance(invoices_ports, (list, tuple)) else [invoices_ports]
    instances = "|".join(f"127.0.0.1:{p}" for p in ports)
    return f"invoices-svc={instances},auth-svc:3000=127.0.0.1:{auth_port}"


def gateway_over(tmp_path, invoices_ports, auth_port, env=None, **route_options):
    """Like start_gateway, with several invoices_svc instances and extra environment."""
    routes = write_routes(tmp_path, **route_options)
    return Service("gateway", {"ROUTES_FILE": str(routes),
                               "UPSTREAMS": upstreams_value(invoices_ports, auth_port), **(env or {})})


class RawPeer:
    """A TCP server in a thread answering every request with fixed bytes (not HTTP), then
    closing: a peer answering garbage."""

    def __init__(self, answer=b"garbage, not HTTP\r\n\r\n"):
        self.answer = answer
        self.connections = 0
        self.closed = 0  # connections this peer has closed (after answering)
        self._closed_lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        self._stopped = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self._stopped:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        try:
            with conn:
                conn.settimeout(5)
                try:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        data += chunk
                    conn.sendall(self.answer)
                except OSError:
                    pass
        finally:
            with self._closed_lock:
                self.closed += 1

    def stop(self):
        self._stopped = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()


PG_BIN = pathlib.Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def postgres_available():
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


class PostgresCluster:
    """A PostgreSQL server of the test's own (as scripts/test-postgres.sh starts one): initdb
    into a temporary folder, a free loopback port, its unix socket in that folder, so that
    stopping it disturbs no other test. As root it runs as the `postgres` user."""

    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="tim-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:", str(self.dir)], check=True)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self.start()

    def _run(self, tool, *args, timeout=60):
        command = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}{self.server_log()}")
        return done

    def server_log(self):
        log = self.dir / "server.log"
        return log.read_text(errors="replace") if log.exists() else ""

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                  "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.dir}"
                        " -c fsync=off -c max_connections=50",
                  "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self):
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass  # already stopped
        subprocess.run(["rm", "-rf", str(self.dir)], check=False)


def keys_cli(*args):
    """Runs `auth_svc keys …` (the key file command); returns the CompletedProcess."""
    return subprocess.run([str(BIN_DIR / "auth_svc" / "auth_svc"), "keys", *args],
                          capture_output=True, text=True, timeout=30)


def recording_upstream():
    """A back end that answers 200 and records every request, to prove what reached it."""
    return FakePeer(lambda req: (200, {"content-type": "application/json"}, '{"upstream":true}'))


def metric_value(text, sample):
    """The value of the sample line starting with `sample` (name{labels…}) in a /metrics text."""
    for line in text.splitlines():
        if line.startswith(sample):
            return float(line.rsplit(" ", 1)[1])
    return None
