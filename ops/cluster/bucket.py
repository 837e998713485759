"""The rehearsal's S3 store from the command line (endpoint and keys from the environment, as the
app reads them):

    bucket.py ensure BUCKET          create it if missing; exit 1 while the store does not answer
    bucket.py download BUCKET DIR    every object into DIR/<key> (the backup's copy)
    bucket.py upload DIR BUCKET      every file under DIR as an object (the restore)
"""

import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


def client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        region_name=os.environ.get("AWS_S3_REGION_NAME") or "us-east-1",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(connect_timeout=1, read_timeout=10, retries={"max_attempts": 2}),
    )


def ensure(s3, bucket: str) -> None:
    names = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in names:
        s3.create_bucket(Bucket=bucket)


def download(s3, bucket: str, target: Path) -> int:
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            path = target / item["Key"]
            path.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, item["Key"], str(path))
            count += 1
    return count


def upload(s3, source: Path, bucket: str) -> int:
    ensure(s3, bucket)
    files = [p for p in sorted(source.rglob("*")) if p.is_file()]
    for path in files:
        s3.upload_file(str(path), bucket, path.relative_to(source).as_posix())
    return len(files)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    s3 = client()
    if command == "ensure":
        try:
            ensure(s3, args[0])
        except (BotoCoreError, ClientError):
            sys.exit(1)
    elif command == "download":
        print(f"{download(s3, args[0], Path(args[1]))} objects copied from {args[0]}")
    elif command == "upload":
        print(f"{upload(s3, Path(args[0]), args[1])} objects copied into {args[1]}")
    else:
        sys.exit(__doc__)
