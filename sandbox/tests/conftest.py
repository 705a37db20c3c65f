"""Starts one real sandbox server (sandbox/moto_server.py) for the whole test session."""

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

SERVER = Path(__file__).resolve().parent.parent / "moto_server.py"


def start_server(timeout: float = 60.0):
    """Starts the server; returns (process, ready-line dict). Fails the test on timeout.
    The server's log (stderr) goes to a temporary file, named by `process.log_path`."""
    log = tempfile.NamedTemporaryFile(prefix="tfchallenge-sandbox-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", "--parent-pid", str(os.getpid())],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    proc.log_path = log.name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            return proc, json.loads(line)
        if proc.poll() is not None:
            break
    proc.kill()
    proc.wait(timeout=10)
    pytest.fail(f"sandbox server did not become ready:\n{read_log(proc)[-2000:]}")


def read_log(proc) -> str:
    with open(proc.log_path, encoding="utf-8", errors="replace") as log:
        return log.read()


def stop_server(proc) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.stdout.close()
    os.unlink(proc.log_path)
    return proc.returncode


@pytest.fixture(scope="session")
def sandbox():
    proc, info = start_server()
    info["endpoint"] = f"http://127.0.0.1:{info['port']}"
    info["process"] = proc
    yield info
    stop_server(proc)


def make_client(sandbox, service, key_id, secret, token=None):
    return boto3.client(service, endpoint_url=sandbox["endpoint"], region_name=sandbox["region"],
                        aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


@pytest.fixture(scope="session")
def admin(sandbox):
    creds = sandbox["admin"]
    return lambda service: make_client(sandbox, service, creds["access_key_id"], creds["secret_access_key"])


@pytest.fixture(scope="session")
def client_user(sandbox):
    creds = sandbox["client"]
    return lambda service: make_client(sandbox, service, creds["access_key_id"], creds["secret_access_key"])
