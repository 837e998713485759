"""Create the bucket named on the command line in the rehearsal's S3 store (the endpoint and keys
from the environment, as the app reads them); exit 1 while the store does not answer yet."""

import os
import sys

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
        config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}),
    )


if __name__ == "__main__":
    s3 = client()
    try:
        names = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if sys.argv[1] not in names:
            s3.create_bucket(Bucket=sys.argv[1])
    except (BotoCoreError, ClientError):
        sys.exit(1)
