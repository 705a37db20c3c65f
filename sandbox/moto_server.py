"""The tfchallenge sandbox: a moto server on loopback, seeded like the interview account.

Run by tfchallenge with the Python of its virtual environment (moto pinned in
requirements.txt):

    python moto_server.py [--port N] [--parent-pid PID]

1. Seeds the account in-process (no HTTP round trips): an admin user for
   Terraform, the client user `terraform-challenge`, and a few other buckets with
   objects in them (the ones the client must never list). Secrets are random per
   start.
2. Serves moto on 127.0.0.1 (port 0 picks a free one).
3. Switches on request authentication and IAM authorization through moto's own
   `/moto-api/reset-auth` (count 0: every later request is checked).
4. Only then prints ONE line on stdout: `{"ready": true, ...}` (JSON with the
   port, credentials, account id and bucket names), then points stdout at
   /dev/null, so the reader may close its end of the pipe.
5. Serves until SIGTERM or SIGINT (exit 0), or until the process named by
   --parent-pid is no longer its parent (used by tests, so that a killed test
   run leaves no server behind).

It also adds the rule moto lacks (see `install_kms_rule`): an SSE-KMS object
needs kms:GenerateDataKey on its key to be written and kms:Decrypt to be read.
Logs go to stderr; they never contain credentials.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import string
import sys
import threading
import time
import urllib.request

REGION = "us-east-1"
ADMIN_USER = "tfchallenge-admin"
CLIENT_USER = "terraform-challenge"
# The account's other data: the client must never be able to list these.
OTHER_BUCKETS = {
    "bigcorp-payroll-exports": {
        "2024/12/payroll.csv": b"employee_id,net_pay\n1001,4210.55\n1002,3890.10\n",
        "2025/01/payroll.csv": b"employee_id,net_pay\n1001,4210.55\n1003,5120.00\n",
    },
    "bigcorp-hr-records": {
        "reviews/2024/summary.json": b'{"reviews": 42, "confidential": true}\n',
        "contracts/index.txt": b"contract-0001.pdf\ncontract-0002.pdf\n",
    },
    "bigcorp-etl-staging": {
        "incoming/batch-0001.jsonl": b'{"order": 1, "amount": 19.99}\n',
        "incoming/batch-0002.jsonl": b'{"order": 2, "amount": 5.00}\n',
        "manifest.txt": b"batch-0001.jsonl\nbatch-0002.jsonl\n",
    },
}

log = logging.getLogger("tfchallenge.sandbox")


def random_secret(length: int = 40) -> str:
    alphabet = string.ascii_letters + string.digits + "+/"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def seed() -> dict:
    """Creates the account's identities and data directly in moto's backends."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    account = DEFAULT_ACCOUNT_ID
    partition = get_partition(REGION)
    iam = iam_backends[account][partition]

    def user_with_key(name: str, policy_name: str, document: str) -> dict:
        user = iam.create_user(REGION, name)
        iam.put_user_policy(name, policy_name, document)
        key = iam.create_access_key(name)
        # moto draws secrets from its own (seedable) random; use the secrets module instead.
        key.secret_access_key = random_secret()
        return {"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key,
                "user_name": name, "arn": user.arn}

    admin = user_with_key(ADMIN_USER, "administrator",
                          policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    client = user_with_key(CLIENT_USER, "assume-roles",
                           policy({"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Resource": f"arn:{partition}:iam::{account}:role/*"}))

    s3 = s3_backends[account][partition]
    for bucket, objects in OTHER_BUCKETS.items():
        s3.create_bucket(bucket, REGION)
        for key_name, body in objects.items():
            s3.put_object(bucket, key_name, body)

    return {"account_id": account, "admin": admin, "client": client}


# --- The KMS rule moto lacks -------------------------------------------------------------
#
# On AWS, S3 calls KMS on behalf of the caller: writing an SSE-KMS object (asked for with the
# x-amz-server-side-encryption: aws:kms header, or applied by the bucket's default encryption)
# needs kms:GenerateDataKey on the key (PutObject, CopyObject's destination,
# CreateMultipartUpload), and reading one (GetObject, HeadObject) needs kms:Decrypt.
# moto 5.2.5 stores the key id but checks neither. These wrappers add the check after moto's own authentication and S3 authorization, with moto's own policy evaluation
# (identity-based policies of the calling user or assumed role; key policies are not
# evaluated, as moto does not evaluate them for KMS calls either). Objects encrypted with the
# AWS-managed key (aws:kms without a key id) are not checked: its key policy allows every
# principal of the account to use it through S3.

def _auth_enforced() -> bool:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def _key_arn(key_id: str, region: str, account: str) -> str:
    """The ARN of a key given by id, ARN, alias name or alias ARN (via moto's KMS backend)."""
    from moto.kms.models import kms_backends
    from moto.utilities.utils import get_partition

    if key_id.startswith("arn:"):
        parts = key_id.split(":")
        if len(parts) > 4:
            region, account = parts[3] or region, parts[4] or account
        if ":key/" in key_id:
            return key_id
    try:
        return kms_backends[account][region].describe_key(key_id).arn
    except Exception:  # unknown key or alias: name it as AWS would, by what was given
        return f"arn:{get_partition(region)}:kms:{region}:{account}:{key_id}" if key_id.startswith("alias/") \
            else f"arn:{get_partition(region)}:kms:{region}:{account}:key/{key_id}"


def _require_kms(response, action: str, key_id: str | None) -> None:
    """Raises S3's AccessDenied unless the caller's identity policies allow `action` on the key."""
    from moto.iam.access_control import (CreateAccessKeyFailure, IAMPolicy, PermissionResult,
                                         create_access_key)
    from moto.s3.exceptions import S3AccessDeniedError
    from moto.utilities.utils import get_partition

    headers = response.headers
    authorization = headers.get("Authorization") or ""
    if not key_id or not _auth_enforced() or "Credential=" not in authorization:
        return
    scope = authorization.partition("Credential=")[2].partition(",")[0].split("/")
    region = scope[2] if len(scope) > 2 else response.region
    account = response.current_account
    try:
        identity = create_access_key(account_id=account, partition=get_partition(region),
                                     access_key_id=scope[0], headers=headers)
    except CreateAccessKeyFailure:
        return  # moto's own authentication has refused this already
    resource = _key_arn(key_id, response.region or region, account)
    allowed = False
    for document in identity.collect_policies():
        result = IAMPolicy(document).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            reason = "with an explicit deny in an identity-based policy"
            break
        allowed = allowed or result == PermissionResult.PERMITTED
    else:
        if allowed:
            return
        reason = f"because no identity-based policy allows the {action} action"
    error = S3AccessDeniedError()
    error.message = f"User: {identity.arn} is not authorized to perform: {action} on resource: {resource} {reason}"
    log.info("refused %s on a KMS key for an S3 request", action)
    raise error


def _sse_kms_of_response(result) -> str | None:
    """The KMS key id of the object a GetObject/HeadObject response is about, if SSE-KMS."""
    if not isinstance(result, tuple) or len(result) != 3:
        return None
    status, headers, _ = result
    if status not in (200, 206, 304) or not headers:
        return None
    lowered = {str(k).lower(): v for k, v in headers.items()}
    if lowered.get("x-amz-server-side-encryption") not in ("aws:kms", "aws:kms:dsse"):
        return None
    return lowered.get("x-amz-server-side-encryption-aws-kms-key-id")


def _kms_key_for_write(response) -> str | None:
    """The KMS key a write will encrypt with: the request's own SSE headers, else the bucket's
    default encryption (the precedence of moto's S3Backend.put_object). None: not SSE-KMS, or
    the AWS-managed key."""
    encryption = response.headers.get("x-amz-server-side-encryption")
    key_id = response.headers.get("x-amz-server-side-encryption-aws-kms-key-id")
    default = (response.backend.get_bucket(response.bucket_name).encryption or {}).get("Rule", {}) \
        .get("ApplyServerSideEncryptionByDefault", {})
    if (encryption or default.get("SSEAlgorithm")) not in ("aws:kms", "aws:kms:dsse"):
        return None
    return key_id or default.get("KMSMasterKeyID")


def install_kms_rule() -> None:
    from moto.s3.responses import S3Response

    original_put = S3Response.put_object
    original_copy = S3Response.copy_object
    original_post = S3Response._key_response_post
    original_get = S3Response.get_object
    original_head = S3Response.head_object

    # Writes: PutObject, CopyObject (its destination) and CreateMultipartUpload, each called by
    # moto after its own authentication and authorization of the S3 action.
    def put_object(self):
        _require_kms(self, "kms:GenerateDataKey", _kms_key_for_write(self))
        return original_put(self)

    def copy_object(self):
        _require_kms(self, "kms:GenerateDataKey", _kms_key_for_write(self))
        return original_copy(self)

    def key_response_post(self, request, body, bucket_name, query, key_name):
        if "uploads" in query:  # CreateMultipartUpload; the other POSTs go to moto alone
            original_authorize = self._authenticate_and_authorize_s3_action

            def authorize(*args, **kwargs):
                original_authorize(*args, **kwargs)
                _require_kms(self, "kms:GenerateDataKey", _kms_key_for_write(self))

            self._authenticate_and_authorize_s3_action = authorize
        return original_post(self, request, body, bucket_name, query, key_name)

    # Reads: GetObject and HeadObject of an SSE-KMS object; the key is the stored object's.
    def get_object(self):
        result = original_get(self)
        _require_kms(self, "kms:Decrypt", _sse_kms_of_response(result))
        return result

    def head_object(self, *args, **kwargs):
        result = original_head(self, *args, **kwargs)
        _require_kms(self, "kms:Decrypt", _sse_kms_of_response(result))
        return result

    S3Response.put_object = put_object
    S3Response.copy_object = copy_object
    S3Response._key_response_post = key_response_post
    S3Response.get_object = get_object
    S3Response.head_object = head_object


# --- Serving ---------------------------------------------------------------------------

def switch_on_auth(port: int) -> None:
    """moto's reset-auth: after `0` unauthenticated requests, every request is authenticated."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset-auth", data=b"0", method="POST",
                                     # not a form: moto reads the raw body as the count
                                     headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        answer = json.loads(reply.read())
    if answer.get("status") != "ok":
        raise RuntimeError(f"moto refused reset-auth: {answer}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="exit when this process is no longer the parent")
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Request lines may carry presigned URLs (an access key id): keep them out of the log.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    started = time.monotonic()
    import moto
    from moto.moto_server.werkzeug_app import (DomainDispatcherApplication, MotoRequestHandler,
                                               create_backend_app)
    from werkzeug.serving import make_server

    install_kms_rule()
    seeded = seed()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, name="moto", daemon=True)
    thread.start()

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())

    switch_on_auth(port)
    ready = {
        "ready": True,
        "port": port,
        "pid": os.getpid(),
        "region": REGION,
        "account_id": seeded["account_id"],
        "admin": {k: seeded["admin"][k] for k in ("access_key_id", "secret_access_key")},
        "client": seeded["client"],
        "other_buckets": sorted(OTHER_BUCKETS),
        "moto_version": moto.__version__,
    }
    # Logged before the ready line, so whoever reads that line finds the log complete.
    log.info("moto %s serving on 127.0.0.1:%d (pid %d), ready in %.2fs, auth on",
             moto.__version__, port, os.getpid(), time.monotonic() - started)
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    # The reader may close the pipe now; nothing else goes to stdout.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)

    while not stop.wait(0.5):
        if args.parent_pid and os.getppid() != args.parent_pid:
            log.info("parent %d is gone, stopping", args.parent_pid)
            break
        if not thread.is_alive():
            log.error("the server thread stopped")
            return 1
    log.info("stopping")
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
