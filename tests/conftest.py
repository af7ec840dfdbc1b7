from __future__ import annotations

import os

# boto3 must never reach a real endpoint or real credentials from a test.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.pop("AWS_PROFILE", None)
# botocore must not probe the EC2 instance metadata service (an address off this machine).
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

pytest_plugins = ["pytester"]
