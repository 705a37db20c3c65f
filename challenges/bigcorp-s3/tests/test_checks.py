"""The four checks of bigcorp-s3 written with pytest and boto3.

The benchmark `tfchallenge-bench checks` runs this suite next to
`tfchallenge check` against the same sandbox and workspace, to compare them.
Inputs come from the environment:

    TFC_ENDPOINT          the sandbox's endpoint (http://127.0.0.1:PORT)
    TFC_REGION            the region
    TFC_CLIENT_KEY_ID     the client user's access key id
    TFC_CLIENT_SECRET     the client user's secret access key
    TFC_OUTPUTS           a file holding `terraform output -json` of the workspace
    TFC_SEED_BODY         the seed object's expected body
"""

import json
import os
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture(scope="session")
def outputs():
    with open(os.environ["TFC_OUTPUTS"]) as f:
        return {k: v["value"] for k, v in json.load(f).items()}


@pytest.fixture(scope="session")
def role_session(outputs):
    endpoint = os.environ["TFC_ENDPOINT"]
    region = os.environ["TFC_REGION"]
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region,
                       aws_access_key_id=os.environ["TFC_CLIENT_KEY_ID"],
                       aws_secret_access_key=os.environ["TFC_CLIENT_SECRET"])
    creds = sts.assume_role(RoleArn=outputs["role_arn"], RoleSessionName="tfchallenge-pytest")["Credentials"]
    return boto3.client("s3", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"],
                        config=Config(s3={"addressing_style": "path"}))


def test_write(role_session, outputs):
    reply = role_session.put_object(Bucket=outputs["bucket_name"], Key=f"tfchallenge-checks/write-{time.time_ns()}.txt",
                                    Body=b"written by the write check\n")
    assert reply.get("ServerSideEncryption") == "aws:kms"
    assert reply.get("SSEKMSKeyId", "").endswith(outputs["kms_key_arn"].split("/")[-1])


def test_read(role_session, outputs):
    reply = role_session.get_object(Bucket=outputs["bucket_name"], Key=outputs["seed_object_key"])
    assert reply["Body"].read().decode() == os.environ["TFC_SEED_BODY"]


def test_list(role_session, outputs):
    reply = role_session.list_objects_v2(Bucket=outputs["bucket_name"])
    assert outputs["seed_object_key"] in [o["Key"] for o in reply.get("Contents", [])]


def test_isolation(role_session):
    with pytest.raises(ClientError) as refused:
        role_session.list_buckets()
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
