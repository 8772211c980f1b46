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
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("TIM_BIN_DIR", ROOT / "build" / "test" / "services"))
ROUTES_FILE = ROOT / "kube" / "overlays" / "emissary" / "routes.yaml"
TOKEN = "letmeinpleasekthxbye"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """One real binary: started with an environment, stopped by signal, logs kept in a file."""

    def __init__(self, name, env=None, port=None):
        self.name = name
        self.port = port or free_port()
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOST": "127.0.0.1",
                    "PORT": str(self.port), "LOG_LEVEL": "debug"}
        full_env.update(env or {})
        if name == "gateway":
            # /metrics and /readyz are on the admin port (8877 by default): a free one per test.
            full_env.setdefault("ADMIN_PORT", str(free_port()))
        self.admin_port = int(full_env["ADMIN_PORT"]) if "ADMIN_PORT" in full_env else self.port
        if name == "invoices_svc" and "DATA_DIR" not in full_env and "DATABASE_URL" not in full_env:
            # A store of its own, so that tests never share or leave invoices behind.
            full_env["DATA_DIR"] = tempfile.mkdtemp(prefix="tim-invoices-")
        self.env = full_env
        self.process = subprocess.Popen([str(BIN_DIR / name / name)], env=full_env,
                                        stdout=self.log_file, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not start listening: {self.logs()}")

    def restart(self):
        """Stops the process (if running) and starts the binary again with the same environment
        on the same port."""
        self.stop()
        self.process = subprocess.Popen([str(BIN_DIR / self.name / self.name)], env=self.env,
                                        stdout=self.log_file, stderr=subprocess.STDOUT)
        self.wait_ready()

    def logs(self):
        return pathlib.Path(self.log_file.name).read_text(errors="replace")

    def log_lines(self):
        return [json.loads(line) for line in self.logs().splitlines() if line.startswith("{")]

    def wait_for_log(self, match, count=1, timeout=5.0):
        """The log lines `match` accepts, once there are at least `count` of them: lines reach
        the output on a timer, so reading once right after a request can miss them."""
        def matching():
            lines = [line for line in self.log_lines() if match(line)]
            return lines if len(lines) >= count else None
        return wait_for(matching, timeout=timeout, what=f"{count} matching log line(s)")

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


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


def request(port, method, path, headers=None, body=None, timeout=10.0):
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
        return Response(res.status, collected, res.read())
    finally:
        conn.close()


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

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def header_of(self, index, name):
        return [v for k, v in self.requests[index]["headers"] if k == name.lower()]

    def stop(self):
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
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def metrics_text(port):
    return get(port, "/metrics").body.decode()


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
