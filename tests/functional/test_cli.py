"""Each binary's command line: --help and --version answer and exit 0 without serving, a wrong
argument exits 2 with a message, and --help's environment table matches what the code reads."""
import re
import socket
import subprocess

import pytest

from harness import BIN_DIR, ROOT, free_port

# The subcommands --help must list, and the sources each binary's environment is read in (the
# HTTP client's variables only where the service calls others).
SERVER = ["libs/core/src", "libs/http/src/server.cpp"]
CLIENT = ["libs/http/src/client.cpp"]
BINARIES = {
    "gateway": (["serve"], SERVER + CLIENT + ["services/gateway/src"]),
    "auth_svc": (["serve", "keys"], SERVER + ["services/auth_svc/src", "services/auth_svc/credentials"]),
    "invoices_svc": (["serve", "import"], SERVER + CLIENT + ["services/invoices_svc"]),
    "expected_date_svc": (["serve", "train", "evaluate", "backtest"],
                          SERVER + ["services/expected_date_svc"]),
    "webapp": (["serve"], SERVER + ["services/webapp/src"]),
}


def binary(name):
    return str(BIN_DIR / name / name)


def run(name, *args, env=None):
    return subprocess.run([binary(name), *args], capture_output=True, text=True, timeout=30,
                          env=env)


@pytest.fixture
def occupied_ports():
    """Two ports held open by the test, given to the binary as PORT and ADMIN_PORT: a binary
    that started serving could not bind them and would fail (or, were they free, keep running)."""
    sockets = []
    for _ in range(2):
        s = socket.socket()
        s.bind(("127.0.0.1", free_port()))
        s.listen()
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    yield {"PATH": "/usr/bin:/bin", "HOST": "127.0.0.1", "PORT": str(ports[0]),
           "ADMIN_PORT": str(ports[1]), "TOKEN": "x"}
    for s in sockets:
        s.close()


def environment_table(help_text):
    """name -> default of the Environment section of --help."""
    section = help_text.split("Environment variables", 1)[1].splitlines()[1:]
    table = {}
    for line in section:
        m = re.match(r"^  ([A-Z][A-Z0-9_]+)\s+(\S+(?: \S+)*?)\s{2,}\S", line)
        if m:
            table[m.group(1)] = m.group(2)
    return table


@pytest.mark.parametrize("name", BINARIES)
def test_help_lists_subcommands_and_environment_and_serves_nothing(name, occupied_ports):
    done = run(name, "--help", env=occupied_ports)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Usage:" in done.stdout
    subcommands, _ = BINARIES[name]
    listed = done.stdout.split("Subcommands:", 1)[1]
    for sub in subcommands:
        assert re.search(rf"^\s+{sub}\s", listed, re.M), f"{sub} not in\n{done.stdout}"
    table = environment_table(done.stdout)
    assert table.get("PORT") and table.get("LOG_LEVEL") == "info", done.stdout


@pytest.mark.parametrize("name", BINARIES)
def test_version_exits_0_and_serves_nothing(name, occupied_ports):
    done = run(name, "--version", env=occupied_ports)
    assert done.returncode == 0, done.stderr
    assert re.match(rf"^{name} \d+\.\d+\.\d+", done.stdout), done.stdout


@pytest.mark.parametrize("name", BINARIES)
@pytest.mark.parametrize("args", [["--bogus"], ["frobnicate"], ["serve", "extra"]])
def test_unknown_argument_exits_2_with_a_message(name, args, occupied_ports):
    done = run(name, *args, env=occupied_ports)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert args[-1] in done.stderr and "Usage:" in done.stderr, done.stderr
    assert done.stdout == ""


def test_subcommand_help_shows_its_options():
    done = run("invoices_svc", "import", "--help")
    assert done.returncode == 0 and "file" in done.stdout.lower(), done.stdout
    done = run("expected_date_svc", "train", "--help")
    assert done.returncode == 0 and "--until" in done.stdout, done.stdout
    done = run("auth_svc", "keys", "create", "--help")
    assert done.returncode == 0 and "--scopes" in done.stdout, done.stdout


def test_a_missing_subcommand_argument_exits_2():
    done = run("invoices_svc", "import")
    assert done.returncode == 2 and "file" in done.stderr.lower(), done.stderr
    done = run("expected_date_svc", "evaluate", "--csv", "a", "--model", "b", "--test-from", "x")
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr, done.stderr


READ = re.compile(r'(?:get_string|get_int|get_millis|get_bool|get_optional|getenv)\(\s*"([A-Z][A-Z0-9_]*)"'
                  r'(?:\s*,\s*([^,;]+?)\s*[,)])?')


def read_in_code(dirs):
    """name -> literal default (None when the default is an expression) of every variable the
    sources read, tests and benchmarks left out."""
    found = {}
    for d in dirs:
        base = ROOT / d
        for path in [base] if base.is_file() else base.rglob("*.cpp"):
            rel = path.relative_to(ROOT).parts
            if "tests" in rel or "bench" in rel:
                continue
            for m in READ.finditer(path.read_text()):
                found.setdefault(m.group(1), literal(m.group(2)))
    return found


def literal(expr):
    if expr is None:
        return None
    if m := re.fullmatch(r'"(.*)"', expr):
        return m.group(1) or "-"
    if re.fullmatch(r"\d+", expr) or expr in ("true", "false"):
        return expr
    if m := re.fullmatch(r"std::chrono::milliseconds\{(\d+)\}", expr):
        return m.group(1)
    return None


@pytest.mark.parametrize("name", BINARIES)
def test_help_environment_is_what_the_code_reads(name):
    """The table in each main.cpp, shown by --help, names exactly the variables the code reads,
    with the same literal defaults: a variable added to the code without a row fails here."""
    table = environment_table(run(name, "--help").stdout)
    code = read_in_code(BINARIES[name][1])
    assert sorted(set(code) - set(table)) == [], "read by the code but missing from --help"
    assert sorted(set(table) - set(code)) == [], "in --help but read nowhere"
    wrong = {n: (table[n], d) for n, d in code.items() if d is not None and table[n] != d}
    assert wrong == {}, "--help default != code default (help, code)"
