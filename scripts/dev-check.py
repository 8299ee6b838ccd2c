#!/usr/bin/env python3
"""`make dev` as a user meets it, checked by `make test`.

Starts scripts/dev.sh on free ports (its own dynalite, never a server from the environment), waits
for the lines it prints, then runs them as printed: every curl line must answer the status its
comment names (200 unless the comment ends in ": <status>"), a /me answer must be the user the
comment names, a /users/me answer a JSON:API `users` document; every `cargo lambda invoke` line
must answer 200. Then Ctrl-C (SIGINT to the process group, as a terminal sends it): make dev must
exit 0 within 30 s and leave nothing behind, neither a process nor a listening port.

The curl lines are sent with urllib (a fresh machine need not have curl). The first request waits
for `cargo lambda watch` to compile the function (minutes from a clean checkout); nothing else here
depends on timing.
"""
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

READY = "Ctrl-C stops"
BUILD_SECONDS = 900


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class DevProcess:
    """scripts/dev.sh in a process group of its own, its output collected by a thread."""

    def __init__(self, api_port, dynamo_port):
        env = dict(os.environ, DEV_API_PORT=str(api_port), DEV_DYNAMO_PORT=str(dynamo_port))
        env.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        self.process = subprocess.Popen(
            ["./scripts/dev.sh"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env, start_new_session=True)
        self.lines = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if READY in line:
                self.ready.set()
        self.ready.set()

    def group_alive(self):
        try:
            os.killpg(self.process.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def kill(self):
        if self.group_alive():
            os.killpg(self.process.pid, signal.SIGKILL)


def printed_commands(lines):
    """(comment, argv) for each command line make dev printed, with the comment above it."""
    commands, comment = [], ""
    for line in lines:
        text = line.strip()
        if text.startswith("# "):
            comment = text[2:]
        elif text.startswith(("curl ", "cargo lambda invoke ")):
            commands.append((comment, shlex.split(text)))
    return commands


def curl_request(argv):
    """The request a printed `curl -i [--cookie C] [-H 'N: V']... URL` line sends."""
    headers, url, args = {}, None, iter(argv[1:])
    for arg in args:
        if arg == "-i":
            continue
        if arg == "--cookie":
            headers["Cookie"] = next(args)
        elif arg == "-H":
            name, value = next(args).split(": ", 1)
            headers[name] = value
        elif arg.startswith("-"):
            raise AssertionError(f"the check does not know curl's {arg}")
        else:
            url = arg
    return urllib.request.Request(url, headers=headers)


def send(request):
    try:
        with urllib.request.urlopen(request, timeout=BUILD_SECONDS) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read().decode()


def check_curl(comment, argv):
    status, headers, body = send(curl_request(argv))
    named = re.search(r": (\d{3})$", comment)
    expected = int(named.group(1)) if named else 200
    assert status == expected, f"{comment}: {status}, not {expected}: {body}"
    if status != 200:
        return f"{status}"
    if "/users/me" in argv[-1]:
        assert headers["Content-Type"] == "application/vnd.api+json", headers["Content-Type"]
        assert json.loads(body)["data"]["type"] == "users", body
    else:
        email = re.search(r"\(([^()]+@[^()]+)\)", comment)
        assert email, f"the comment of a 200 /me line names its user: {comment}"
        assert json.loads(body)["data"]["primary_email_address"]["email"] == email.group(1), body
    return "200"


def check_invoke(argv):
    out = subprocess.run(argv, capture_output=True, text=True, timeout=BUILD_SECONDS)
    assert out.returncode == 0, f"{shlex.join(argv)}: {out.stderr}"
    status = json.loads(out.stdout)["statusCode"]
    assert status == 200, f"{shlex.join(argv)}: {out.stdout}"
    return "200"


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    # cargo-lambda lives in the project's venv (make tools), as for make dev itself.
    os.environ["PATH"] = os.path.abspath(".venv/bin") + os.pathsep + os.environ["PATH"]
    api_port, dynamo_port = free_port(), free_port()
    dev = DevProcess(api_port, dynamo_port)
    try:
        assert dev.ready.wait(BUILD_SECONDS) and dev.process.poll() is None, "make dev did not start"
        # The lines are printed just before `cargo lambda watch` starts; wait for it to listen.
        deadline = time.monotonic() + 60
        while not listening(api_port) and dev.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert listening(api_port), f"nothing listens on port {api_port}"
        commands = printed_commands(dev.lines)
        curls = [c for c in commands if c[1][0] == "curl"]
        invokes = [c for c in commands if c[1][0] == "cargo"]
        assert len(curls) >= 5 and len(invokes) >= 2, f"make dev printed {commands}"
        results = [check_curl(comment, argv) for comment, argv in curls]
        results += [check_invoke(argv) for _, argv in invokes]

        os.killpg(dev.process.pid, signal.SIGINT)
        code = dev.process.wait(timeout=30)
        assert code == 0, f"make dev exited {code} on Ctrl-C"
        deadline = time.monotonic() + 10
        while (dev.group_alive() or listening(api_port) or listening(dynamo_port)) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not dev.group_alive(), "a process make dev started outlived Ctrl-C"
        assert not listening(api_port) and not listening(dynamo_port), "a port is still open"
        print(f"make dev: {len(curls)} curl lines ({', '.join(results[:len(curls)])}), "
              f"{len(invokes)} invoke lines (200), Ctrl-C: exit 0, ports {api_port} and "
              f"{dynamo_port} closed")
    except BaseException:
        print("\n".join(dev.lines[-60:]), file=sys.stderr)
        raise
    finally:
        dev.kill()


if __name__ == "__main__":
    main()
