"""The seeded account, request authentication and IAM authorization."""

import json
import os
import signal

import pytest
from botocore.exceptions import ClientError

from conftest import make_client, start_server, stop_server


def error_code(info: pytest.ExceptionInfo) -> str:
    return info.value.response["Error"]["Code"]


def test_ready_line_describes_the_account(sandbox):
    assert sandbox["region"] == "us-east-1"
    assert sandbox["moto_version"] == "5.2.5"
    assert sandbox["client"]["user_name"] == "terraform-challenge"
    assert sandbox["client"]["arn"] == f"arn:aws:iam::{sandbox['account_id']}:user/terraform-challenge"
    assert sandbox["admin"]["access_key_id"].startswith("AKIA")
    assert sandbox["admin"]["secret_access_key"] != sandbox["client"]["secret_access_key"]
    assert len(sandbox["other_buckets"]) >= 3


def test_wrong_secret_is_refused(sandbox):
    creds = sandbox["client"]
    wrong = "x" + creds["secret_access_key"][1:]
    with pytest.raises(ClientError) as sts_error:
        make_client(sandbox, "sts", creds["access_key_id"], wrong).get_caller_identity()
    assert error_code(sts_error) == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as s3_error:
        make_client(sandbox, "s3", sandbox["admin"]["access_key_id"], wrong).list_buckets()
    assert error_code(s3_error) == "SignatureDoesNotMatch"


def test_unknown_access_key_is_refused(sandbox):
    with pytest.raises(ClientError) as info:
        make_client(sandbox, "s3", "AKIAIOSFODNN7EXAMPLE", "x" * 40).list_buckets()
    assert error_code(info) == "InvalidAccessKeyId"


def test_client_signs_requests_as_itself(client_user, sandbox):
    identity = client_user("sts").get_caller_identity()
    assert identity["Arn"] == sandbox["client"]["arn"]
    assert identity["Account"] == sandbox["account_id"]


def test_client_is_refused_what_its_policy_does_not_allow(client_user, sandbox):
    s3 = client_user("s3")
    with pytest.raises(ClientError) as listing:
        s3.list_buckets()
    assert error_code(listing) == "AccessDenied"
    bucket = sandbox["other_buckets"][0]
    with pytest.raises(ClientError) as objects:
        s3.list_objects_v2(Bucket=bucket)
    assert error_code(objects) == "AccessDenied"
    with pytest.raises(ClientError) as users:
        client_user("iam").list_users()
    assert error_code(users) == "AccessDenied"


def test_client_policy_allows_assume_role(admin, client_user, sandbox):
    iam = admin("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"AWS": sandbox["client"]["arn"]}}]}
    role = iam.create_role(RoleName="seed-test-trusting", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    creds = client_user("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="test")["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    untrusting = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                  "Principal": {"AWS": f"arn:aws:iam::{sandbox['account_id']}:user/someone-else"}}]}
    other = iam.create_role(RoleName="seed-test-untrusting", AssumeRolePolicyDocument=json.dumps(untrusting))
    with pytest.raises(ClientError) as refused:
        client_user("sts").assume_role(RoleArn=other["Role"]["Arn"], RoleSessionName="test")
    assert error_code(refused) == "AccessDenied"


def test_other_buckets_exist_with_objects(admin, sandbox):
    s3 = admin("s3")
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for bucket in sandbox["other_buckets"]:
        assert bucket in names
        assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] >= 2


def test_secrets_differ_per_start_and_sigterm_exits_cleanly():
    proc, info = start_server()
    try:
        other_proc, other = start_server()
        assert stop_server(other_proc) == 0
    finally:
        code = stop_server(proc)
    assert code == 0
    assert info["port"] != other["port"]
    assert info["admin"]["secret_access_key"] != other["admin"]["secret_access_key"]
    assert info["client"]["access_key_id"] != other["client"]["access_key_id"]


def test_server_stops_when_its_parent_is_gone(tmp_path):
    """--parent-pid: a server whose starter died does not linger."""
    import subprocess
    import sys
    import time

    from conftest import SERVER

    starter = tmp_path / "starter.py"
    starter.write_text(
        "import os, subprocess, sys\n"
        f"p = subprocess.Popen([sys.executable, {str(SERVER)!r}, '--parent-pid', str(os.getpid())],"
        " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
        "p.stdout.readline()\n"
        "print(p.pid, flush=True)\n"
        "os._exit(0)\n")
    out = subprocess.run([sys.executable, str(starter)], capture_output=True, text=True, timeout=60).stdout
    pid = int(out.strip())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":  # exited, waiting for init to reap it
                    return
        except (ProcessLookupError, FileNotFoundError):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the server outlived its parent")


def test_log_holds_no_credentials(sandbox, admin, client_user):
    """The last test of the last file, so it runs after the others: their traffic, by users and
    assumed roles, refused and allowed, left no key id, signature or secret in the server's log."""
    from conftest import read_log

    client_user("sts").get_caller_identity()
    log = read_log(sandbox["process"])
    assert "serving on 127.0.0.1" in log
    for secret in (sandbox["admin"]["access_key_id"], sandbox["admin"]["secret_access_key"],
                   sandbox["client"]["access_key_id"], sandbox["client"]["secret_access_key"],
                   "ASIA", "Credential=", "Signature="):
        assert secret not in log
