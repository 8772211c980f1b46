"""The harness's own checks, on real services: a service that crashed, died on its own or wrote
a line that is not JSON is caught, naming it and showing its last log lines; one stopped by
SIGTERM, or killed by the test on purpose, is not."""
import os
import signal

import pytest

import harness
from harness import Service, get


def unwatched(service):
    """Takes the service off conftest's list: this test judges how it ended itself."""
    harness.STARTED.remove(service)
    return service


def problems_of(service):
    with pytest.raises(AssertionError) as failure:
        service.check_stopped()
    return str(failure.value)


def test_a_crash_fails_naming_the_service_and_its_last_log_lines():
    svc = unwatched(Service("expected_date_svc"))
    assert get(svc.port, "/api/expected-date/1").status == 200
    os.kill(svc.process.pid, signal.SIGSEGV)  # not through the harness: as a crash would come
    svc.process.wait(10)
    message = problems_of(svc)
    assert message.startswith(f"expected_date_svc (port {svc.port}")
    assert "died of SIGSEGV" in message or "exited by itself during the test with SIGSEGV" in message
    assert '"msg":"listening"' in message  # its last log lines


def test_a_service_that_died_during_the_test_is_caught():
    svc = unwatched(Service("auth_svc", {"TOKEN": "t"}))
    os.kill(svc.process.pid, signal.SIGKILL)
    svc.process.wait(10)
    assert "exited by itself during the test with SIGKILL" in problems_of(svc)


def test_a_line_that_is_not_json_is_caught_by_the_reader_and_by_the_stop_check():
    svc = unwatched(Service("expected_date_svc"))
    assert svc.stop() == 0  # its own writes would go over ours: they share no file offset
    with open(svc.log_file.name, "a") as log:
        log.write("plain text, not a JSON object\n")
    with pytest.raises(AssertionError, match="not a JSON object"):
        svc.log_lines()
    assert "not a JSON object: 'plain text, not a JSON object'" in problems_of(svc)


def test_a_sanitizer_report_is_caught():
    svc = unwatched(Service("expected_date_svc"))
    assert svc.stop() == 0
    with open(svc.log_file.name, "a") as log:
        log.write("==1234==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020\n")
    assert "crash or sanitizer report" in problems_of(svc)


def test_a_clean_sigterm_and_a_kill_on_purpose_pass():
    stopped = unwatched(Service("expected_date_svc"))
    assert stopped.stop() == 0
    stopped.check_stopped()
    killed = unwatched(Service("expected_date_svc"))
    killed.restart()  # two processes, the first stopped by SIGTERM
    assert killed.stop(signal.SIGKILL) == -signal.SIGKILL
    killed.check_stopped()
    assert len(killed.processes) == 2


def test_a_service_that_cannot_start_is_reported_by_the_exception_once():
    with pytest.raises(RuntimeError, match="auth_svc exited with 2"):
        Service("auth_svc", {})  # no credential: it refuses to start
    (failed,) = [s for s in harness.STARTED if s.name == "auth_svc"]
    assert failed.processes == []
    failed.check_stopped()  # nothing left to report at the stop
