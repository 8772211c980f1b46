"""`invoices_svc import` shows progress on stderr only when stderr is a terminal and --quiet is not
given; the report on stdout is the same either way."""
import os
import pty
import subprocess

from harness import BIN_DIR

HEADER = ("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
          "settledDate,payments,createdAt,updatedAt\r\n")
STAMP = "2026-01-01T00:00:00.000Z"


def write_file(path, rows):
    with open(path, "w", newline="") as f:
        f.write(HEADER)
        for n in range(1, rows + 1):
            f.write(f"{n},P-{n},C-{n % 50},Customer {n % 50},GBP,500,500,2026-11-01,2026-12-01,open,,,"
                    f"{STAMP},{STAMP}\r\n")


def run_import(tmp_path, name, args, stderr_tty):
    svc = os.path.join(BIN_DIR, "invoices_svc", "invoices_svc")
    env = {**os.environ, "DATA_DIR": str(tmp_path / name)}
    if not stderr_tty:
        r = subprocess.run([svc, "import", *args], env=env, capture_output=True, timeout=120)
        return r.returncode, r.stdout, r.stderr
    leader, follower = pty.openpty()
    p = subprocess.Popen([svc, "import", *args], env=env, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the pty closes when the process exits
            break
        if not chunk:
            break
        err += chunk
    out = p.stdout.read()
    p.wait(timeout=120)
    os.close(leader)
    return p.returncode, out, err


def test_progress_on_a_terminal_only_and_the_same_report(tmp_path):
    csv = tmp_path / "rows.csv"
    write_file(csv, 20000)
    code, out, err = run_import(tmp_path, "tty", [str(csv)], stderr_tty=True)
    assert code == 0, err
    assert b"rows/s" in err and b"%" in err and b"left" in err, err
    assert err.endswith(b"\r"), err  # the last line is erased before the report
    quiet = run_import(tmp_path, "quiet", ["--quiet", str(csv)], stderr_tty=True)
    piped = run_import(tmp_path, "pipe", [str(csv)], stderr_tty=False)
    assert quiet == (0, out, b"")
    assert piped == (0, out, b"")
    assert out.startswith(b'{"imported":20000,')


def test_an_unknown_option_is_a_usage_error(tmp_path):
    code, out, err = run_import(tmp_path, "bad", ["--loud", "x.csv"], stderr_tty=False)
    assert code == 2 and out == b"", (code, out)
    # CLI11 names the argument it did not expect and shows the command's options.
    assert b"--loud" in err and b"--quiet" in err, err
