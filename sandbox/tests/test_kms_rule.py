"""The rule moto lacks: SSE-KMS objects need kms:GenerateDataKey to write and kms:Decrypt to read."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import make_client


@pytest.fixture(scope="module")
def world(admin, client_user, sandbox):
    """A KMS key (with an alias), a bucket with default SSE-KMS, a plain bucket, and three roles
    the client can assume: S3 only; S3 + GenerateDataKey; S3 + GenerateDataKey + Decrypt."""
    kms, s3, iam = admin("kms"), admin("s3"), admin("iam")
    key = kms.create_key(Description="kms rule test")["KeyMetadata"]
    kms.create_alias(AliasName="alias/kms-rule-test", TargetKeyId=key["KeyId"])
    s3.create_bucket(Bucket="kms-rule-default")
    s3.put_bucket_encryption(Bucket="kms-rule-default", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
    s3.create_bucket(Bucket="kms-rule-plain")
    s3.put_object(Bucket="kms-rule-default", Key="seed.txt", Body=b"seed")  # the admin may use the key

    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"AWS": sandbox["client"]["arn"]}}]})
    s3_statement = {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                    "Resource": ["arn:aws:s3:::kms-rule-default/*", "arn:aws:s3:::kms-rule-plain/*"]}
    roles = {}
    for name, kms_actions in [("s3-only", []), ("encrypt-only", ["kms:GenerateDataKey"]),
                              ("full", ["kms:GenerateDataKey", "kms:Decrypt"])]:
        statements = [s3_statement]
        if kms_actions:
            statements.append({"Effect": "Allow", "Action": kms_actions, "Resource": key["Arn"]})
        arn = iam.create_role(RoleName=f"kms-rule-{name}", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        iam.put_role_policy(RoleName=f"kms-rule-{name}", PolicyName="access",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        creds = client_user("sts").assume_role(RoleArn=arn, RoleSessionName="kms-test")["Credentials"]
        roles[name] = make_client(sandbox, "s3", creds["AccessKeyId"], creds["SecretAccessKey"],
                                  creds["SessionToken"])
    return {"key": key, "roles": roles}


def denied(info: pytest.ExceptionInfo, action: str, key_arn: str) -> None:
    error = info.value.response["Error"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Code"] == "AccessDenied"
    assert "assumed-role/kms-rule-" in error["Message"]
    assert f"is not authorized to perform: {action} on resource: {key_arn}" in error["Message"]
    assert f"because no identity-based policy allows the {action} action" in error["Message"]


def test_default_encryption_write_needs_generate_data_key(world):
    with pytest.raises(ClientError) as info:
        world["roles"]["s3-only"].put_object(Bucket="kms-rule-default", Key="a.txt", Body=b"a")
    denied(info, "kms:GenerateDataKey", world["key"]["Arn"])
    reply = world["roles"]["encrypt-only"].put_object(Bucket="kms-rule-default", Key="a.txt", Body=b"a")
    assert reply["ServerSideEncryption"] == "aws:kms"
    assert reply["SSEKMSKeyId"] == world["key"]["Arn"]


def test_explicit_header_write_needs_generate_data_key(world):
    for key_id in (world["key"]["KeyId"], "alias/kms-rule-test"):
        with pytest.raises(ClientError) as info:
            world["roles"]["s3-only"].put_object(Bucket="kms-rule-plain", Key="b.txt", Body=b"b",
                                                 ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
        denied(info, "kms:GenerateDataKey", world["key"]["Arn"])
    reply = world["roles"]["encrypt-only"].put_object(Bucket="kms-rule-plain", Key="b.txt", Body=b"b",
                                                      ServerSideEncryption="aws:kms",
                                                      SSEKMSKeyId="alias/kms-rule-test")
    assert reply["ServerSideEncryption"] == "aws:kms"


def test_plain_objects_need_no_kms(world):
    s3 = world["roles"]["s3-only"]
    s3.put_object(Bucket="kms-rule-plain", Key="plain.txt", Body=b"plain")
    assert s3.get_object(Bucket="kms-rule-plain", Key="plain.txt")["Body"].read() == b"plain"


def test_read_needs_decrypt(world):
    for role in ("s3-only", "encrypt-only"):
        with pytest.raises(ClientError) as info:
            world["roles"][role].get_object(Bucket="kms-rule-default", Key="seed.txt")
        denied(info, "kms:Decrypt", world["key"]["Arn"])
        with pytest.raises(ClientError) as head:
            world["roles"][role].head_object(Bucket="kms-rule-default", Key="seed.txt")
        assert head.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    full = world["roles"]["full"]
    assert full.get_object(Bucket="kms-rule-default", Key="seed.txt")["Body"].read() == b"seed"
    assert full.head_object(Bucket="kms-rule-default", Key="seed.txt")["ServerSideEncryption"] == "aws:kms"


def test_explicit_deny_is_named(admin, world, sandbox, client_user):
    iam = admin("iam")
    iam.put_role_policy(RoleName="kms-rule-full", PolicyName="deny-decrypt", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}))
    try:
        with pytest.raises(ClientError) as info:
            world["roles"]["full"].get_object(Bucket="kms-rule-default", Key="seed.txt")
        assert "with an explicit deny in an identity-based policy" in info.value.response["Error"]["Message"]
    finally:
        iam.delete_role_policy(RoleName="kms-rule-full", PolicyName="deny-decrypt")


def test_users_are_checked_too(admin, sandbox):
    iam = admin("iam")
    iam.create_user(UserName="kms-rule-user")
    iam.put_user_policy(UserName="kms-rule-user", PolicyName="s3", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="kms-rule-user")["AccessKey"]
    s3 = make_client(sandbox, "s3", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket="kms-rule-default", Key="u.txt", Body=b"u")
    assert ":user/kms-rule-user is not authorized to perform: kms:GenerateDataKey" in \
        info.value.response["Error"]["Message"]


def test_multipart_upload_and_copy_need_generate_data_key(world):
    plain_source = {"Bucket": "kms-rule-plain", "Key": "copy-source.txt"}
    world["roles"]["s3-only"].put_object(Body=b"to copy", **plain_source)
    with pytest.raises(ClientError) as multipart:
        world["roles"]["s3-only"].create_multipart_upload(Bucket="kms-rule-default", Key="big.bin")
    denied(multipart, "kms:GenerateDataKey", world["key"]["Arn"])
    with pytest.raises(ClientError) as copy:
        world["roles"]["s3-only"].copy_object(Bucket="kms-rule-default", Key="copied.txt", CopySource=plain_source)
    denied(copy, "kms:GenerateDataKey", world["key"]["Arn"])

    allowed = world["roles"]["encrypt-only"]
    upload = allowed.create_multipart_upload(Bucket="kms-rule-default", Key="big.bin")
    assert upload["UploadId"]
    allowed.copy_object(Bucket="kms-rule-default", Key="copied.txt", CopySource=plain_source)
