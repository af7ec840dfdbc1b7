"""What the no-500 sweep drives: per service, resources made under the key while it is usable,
then the calls that reach every patched moto method, with plausible arguments.

``setup(c, key)`` makes the resources and returns what the calls need; ``calls(c, made)`` lists
``(service, Operation, arguments)``. ``c(service, region)`` is a boto3 client factory (in-process
or over HTTP), ``key`` a :class:`Key` (id and ARN of a usable SYMMETRIC_DEFAULT key).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Client = Callable[..., Any]
Call = tuple[str, str, dict[str, Any]]
ZONE = "us-east-1a"
BUCKET = "sweep-bucket"
TABLE = "sweep-table"
ITEM = {"pk": {"S": "a"}}


@dataclass(frozen=True)
class Key:
    key_id: str
    arn: str


# -- S3 ------------------------------------------------------------------------------------


def s3_setup(c: Client, key: Key) -> dict[str, Any]:
    s3, sqs = c("s3"), c("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue = sqs.create_queue(QueueName="sweep-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key.key_id}
    s3.put_object(Bucket=BUCKET, Key="rows.csv", Body=b"a,b\n1,2\n", **sse)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="big", **sse)["UploadId"]
    part = s3.upload_part(Bucket=BUCKET, Key="big", UploadId=upload, PartNumber=1, Body=b"p")
    return {"upload": upload, "etag": part["ETag"], "sse": sse}


def s3_calls(made: dict[str, Any]) -> list[Call]:
    sse, upload = made["sse"], made["upload"]
    source = {"Bucket": BUCKET, "Key": "rows.csv"}
    return [
        ("s3", "PutObject", {"Bucket": BUCKET, "Key": "new", "Body": b"x", **sse}),
        ("s3", "GetObject", source),
        ("s3", "CopyObject", {"Bucket": BUCKET, "Key": "copy", "CopySource": source, **sse}),
        ("s3", "CreateMultipartUpload", {"Bucket": BUCKET, "Key": "other", **sse}),
        (
            "s3",
            "UploadPart",
            {"Bucket": BUCKET, "Key": "big", "UploadId": upload, "PartNumber": 2, "Body": b"q"},
        ),
        (
            "s3",
            "UploadPartCopy",
            {
                "Bucket": BUCKET, "Key": "big", "UploadId": upload, "PartNumber": 3,
                "CopySource": source,
            },
        ),
        (
            "s3",
            "CompleteMultipartUpload",
            {
                "Bucket": BUCKET, "Key": "big", "UploadId": upload,
                "MultipartUpload": {"Parts": [{"ETag": made["etag"], "PartNumber": 1}]},
            },
        ),
        (
            "s3",
            "SelectObjectContent",
            {
                **source,
                "Expression": "SELECT * FROM S3Object",
                "ExpressionType": "SQL",
                "InputSerialization": {"CSV": {"FileHeaderInfo": "USE"}},
                "OutputSerialization": {"JSON": {}},
            },
        ),
    ]


# -- Secrets Manager and SSM ---------------------------------------------------------------


def secrets_setup(c: Client, key: Key) -> dict[str, Any]:
    sm = c("secretsmanager")
    sm.create_secret(Name="sweep/s", SecretString="v", KmsKeyId=key.key_id)
    sm.create_secret(
        Name="sweep/replicated", SecretString="v", KmsKeyId=key.key_id,
        AddReplicaRegions=[{"Region": "eu-west-1"}],
    )
    ssm = c("ssm")
    ssm.put_parameter(Name="/sweep/p", Value="v", Type="SecureString", KeyId=key.key_id)
    return {"key": key}


def secrets_calls(made: dict[str, Any]) -> list[Call]:
    key = made["key"]
    return [
        ("secretsmanager", "CreateSecret", {"Name": "sweep/n", "SecretString": "v",
                                             "KmsKeyId": key.key_id}),
        ("secretsmanager", "PutSecretValue", {"SecretId": "sweep/s", "SecretString": "w"}),
        ("secretsmanager", "UpdateSecret", {"SecretId": "sweep/s", "SecretString": "x"}),
        ("secretsmanager", "UpdateSecret", {"SecretId": "sweep/s",
                                             "KmsKeyId": "alias/aws/secretsmanager"}),
        ("secretsmanager", "RotateSecret", {"SecretId": "sweep/s", "RotateImmediately": False}),
        ("secretsmanager", "GetSecretValue", {"SecretId": "sweep/s"}),
        ("secretsmanager", "BatchGetSecretValue", {"SecretIdList": ["sweep/s"]}),
        ("secretsmanager", "BatchGetSecretValue",
         {"Filters": [{"Key": "name", "Values": ["sweep/"]}]}),
        ("secretsmanager", "DescribeSecret", {"SecretId": "sweep/replicated"}),
        ("secretsmanager", "ReplicateSecretToRegions",
         {"SecretId": "sweep/s", "AddReplicaRegions": [{"Region": "eu-west-2"}]}),
        ("ssm", "PutParameter", {"Name": "/sweep/q", "Value": "v", "Type": "SecureString",
                                 "KeyId": key.key_id}),
        ("ssm", "PutParameter", {"Name": "/sweep/a", "Value": "v" * 5000, "Type": "SecureString",
                                 "KeyId": key.key_id, "Tier": "Advanced"}),
        ("ssm", "GetParameter", {"Name": "/sweep/p", "WithDecryption": True}),
        ("ssm", "GetParameters", {"Names": ["/sweep/p"], "WithDecryption": True}),
        ("ssm", "GetParametersByPath", {"Path": "/sweep", "WithDecryption": True}),
        ("ssm", "GetParameterHistory", {"Name": "/sweep/p", "WithDecryption": True}),
    ]


# -- SQS -----------------------------------------------------------------------------------


def sqs_setup(c: Client, key: Key) -> dict[str, Any]:
    sqs = c("sqs")
    url = sqs.create_queue(
        QueueName="sweep-q",
        Attributes={"KmsMasterKeyId": key.key_id, "KmsDataKeyReusePeriodSeconds": "60"},
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    return {"url": url, "key": key}


def sqs_calls(made: dict[str, Any]) -> list[Call]:
    url, key = made["url"], made["key"]
    return [
        ("sqs", "CreateQueue", {"QueueName": "sweep-q2", "Attributes": {"KmsMasterKeyId":
                                                                         key.key_id}}),
        ("sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"KmsMasterKeyId":
                                                                        key.arn}}),
        ("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": "n"}),
        ("sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": "1",
                                                                   "MessageBody": "b"}]}),
        ("sqs", "ReceiveMessage", {"QueueUrl": url}),
        ("sqs", "ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 1}),
    ]


# -- EBS -----------------------------------------------------------------------------------


def ebs_setup(c: Client, key: Key) -> dict[str, Any]:
    ec2 = c("ec2")
    volume = ec2.create_volume(Size=8, AvailabilityZone=ZONE, Encrypted=True,
                               KmsKeyId=key.key_id)["VolumeId"]
    attached = ec2.create_volume(Size=8, AvailabilityZone=ZONE, Encrypted=True,
                                 KmsKeyId=key.key_id)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    instance = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, Placement={"AvailabilityZone": ZONE}
    )["Instances"][0]["InstanceId"]
    ec2.attach_volume(VolumeId=attached, InstanceId=instance, Device="/dev/sdg")
    stopped = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, Placement={"AvailabilityZone": ZONE},
        BlockDeviceMappings=[{"DeviceName": "/dev/sdh",
                              "Ebs": {"VolumeSize": 8, "Encrypted": True,
                                      "KmsKeyId": key.key_id}}],
    )["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[stopped])
    return {"volume": volume, "attached": attached, "snapshot": snapshot, "instance": instance,
            "stopped": stopped, "key": key}


def ebs_calls(made: dict[str, Any]) -> list[Call]:
    key = made["key"]
    return [
        ("ec2", "CreateVolume", {"Size": 8, "AvailabilityZone": ZONE, "Encrypted": True,
                                 "KmsKeyId": key.key_id}),
        ("ec2", "CreateSnapshot", {"VolumeId": made["volume"]}),
        ("ec2", "CopySnapshot", {"SourceSnapshotId": made["snapshot"],
                                 "SourceRegion": "us-east-1", "Encrypted": True,
                                 "KmsKeyId": key.arn}),
        ("ec2", "AttachVolume", {"VolumeId": made["volume"], "InstanceId": made["instance"],
                                 "Device": "/dev/sdf"}),
        ("ec2", "DetachVolume", {"VolumeId": made["attached"]}),
        ("ec2", "ModifyEbsDefaultKmsKeyId", {"KmsKeyId": key.key_id}),
        ("ec2", "RunInstances", {
            "ImageId": "ami-12c6146b", "MinCount": 1, "MaxCount": 1,
            "BlockDeviceMappings": [{"DeviceName": "/dev/sdh", "Ebs": {
                "VolumeSize": 8, "Encrypted": True, "KmsKeyId": key.key_id}}],
        }),
        ("ec2", "StartInstances", {"InstanceIds": [made["stopped"]]}),
        ("ec2", "DescribeVolumes", {"VolumeIds": [made["volume"], made["attached"]]}),
        ("ec2", "DescribeSnapshots", {"SnapshotIds": [made["snapshot"]]}),
    ]


# -- DynamoDB ------------------------------------------------------------------------------


def ddb_setup(c: Client, key: Key) -> dict[str, Any]:
    ddb = c("dynamodb")
    table = ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key.key_id},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    ddb.put_item(TableName=TABLE, Item=ITEM)
    ddb.update_continuous_backups(
        TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    backup = ddb.create_backup(TableName=TABLE, BackupName="before")["BackupDetails"]
    streams = c("dynamodbstreams")
    stream = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return {"table": table["TableArn"], "backup": backup["BackupArn"], "iterator": iterator,
            "key": key}


def ddb_calls(made: dict[str, Any]) -> list[Call]:
    key, t = made["key"], {"TableName": TABLE}
    sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key.key_id}
    return [
        ("dynamodb", "CreateTable", {
            "TableName": "sweep-new", "BillingMode": "PAY_PER_REQUEST", "SSESpecification": sse,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        }),
        ("dynamodb", "UpdateTable", {**t, "SSESpecification": sse}),
        ("dynamodb", "DescribeTable", t),
        ("dynamodb", "ListBackups", {}),
        ("dynamodb", "GetItem", {**t, "Key": ITEM}),
        ("dynamodb", "PutItem", {**t, "Item": {"pk": {"S": "b"}}}),
        ("dynamodb", "UpdateItem", {**t, "Key": ITEM, "UpdateExpression": "SET v = :v",
                                    "ExpressionAttributeValues": {":v": {"S": "1"}}}),
        ("dynamodb", "DeleteItem", {**t, "Key": ITEM}),
        ("dynamodb", "Query", {**t, "KeyConditionExpression": "pk = :a",
                               "ExpressionAttributeValues": {":a": {"S": "a"}}}),
        ("dynamodb", "Scan", t),
        ("dynamodb", "BatchGetItem", {"RequestItems": {TABLE: {"Keys": [ITEM]}}}),
        ("dynamodb", "BatchWriteItem", {"RequestItems": {TABLE: [{"PutRequest": {
            "Item": {"pk": {"S": "c"}}}}]}}),
        ("dynamodb", "TransactGetItems", {"TransactItems": [{"Get": {**t, "Key": ITEM}}]}),
        ("dynamodb", "TransactWriteItems", {"TransactItems": [{"Put": {
            **t, "Item": {"pk": {"S": "d"}}}}]}),
        ("dynamodb", "CreateBackup", {**t, "BackupName": "after"}),
        ("dynamodb", "RestoreTableFromBackup", {"TargetTableName": "sweep-r1",
                                                "BackupArn": made["backup"]}),
        ("dynamodb", "RestoreTableToPointInTime", {"SourceTableName": TABLE,
                                                   "TargetTableName": "sweep-r2"}),
        ("dynamodb", "ExportTableToPointInTime", {"TableArn": made["table"],
                                                  "S3Bucket": "sweep-export"}),
        ("dynamodbstreams", "GetRecords", {"ShardIterator": made["iterator"]}),
        ("dynamodb", "ExecuteStatement", {"Statement": f'SELECT * FROM "{TABLE}"'}),
        ("dynamodb", "ExecuteTransaction", {"TransactStatements": [
            {"Statement": f"INSERT INTO \"{TABLE}\" VALUE {{'pk': 'e'}}"}]}),
        ("dynamodb", "BatchExecuteStatement", {"Statements": [
            {"Statement": f"SELECT * FROM \"{TABLE}\" WHERE pk = 'a'"}]}),
    ]


# -- CloudWatch, Kinesis, SNS, Lambda ------------------------------------------------------


def metrics_setup(c: Client, key: Key) -> dict[str, Any]:
    c("cloudwatch").put_metric_alarm(
        AlarmName="sweep-expiry", Namespace="AWS/KMS",
        MetricName="SecondsUntilKeyMaterialExpiration",
        Dimensions=[{"Name": "KeyId", "Value": key.key_id}], Statistic="Minimum", Period=60,
        EvaluationPeriods=1, Threshold=86400, ComparisonOperator="LessThanThreshold",
        AlarmActions=["arn:aws:sns:us-east-1:123456789012:alerts"],
    )
    kinesis = c("kinesis")
    kinesis.create_stream(StreamName="sweep-stream", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="sweep-stream", EncryptionType="KMS",
                                    KeyId=key.key_id)
    kinesis.put_record(StreamName="sweep-stream", Data=b"r", PartitionKey="p")
    shard = kinesis.describe_stream(StreamName="sweep-stream")["StreamDescription"]["Shards"][0]
    iterator = kinesis.get_shard_iterator(
        StreamName="sweep-stream", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    topic = c("sns").create_topic(Name="sweep-topic",
                                  Attributes={"KmsMasterKeyId": key.key_id})["TopicArn"]
    role = c("iam").create_role(RoleName="sweep-runner", AssumeRolePolicyDocument="{}")["Role"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    c("lambda").create_function(
        FunctionName="sweep-fn", Runtime="python3.12", Role=role["Arn"], Handler="index.handler",
        Code={"ZipFile": buffer.getvalue()}, KMSKeyArn=key.arn,
        Environment={"Variables": {"SECRET": "s"}},
    )
    return {"key": key, "iterator": iterator, "topic": topic}


def metrics_calls(made: dict[str, Any]) -> list[Call]:
    key = made["key"]
    metric = {"Namespace": "AWS/KMS", "MetricName": "SecondsUntilKeyMaterialExpiration",
              "Dimensions": [{"Name": "KeyId", "Value": key.key_id}]}
    now = dt.datetime.now(dt.timezone.utc)  # a few hours around the mock's clock
    window = {"StartTime": now - dt.timedelta(hours=1), "EndTime": now + dt.timedelta(hours=3)}
    entry = {"Id": "1", "Message": "m"}
    return [
        ("cloudwatch", "ListMetrics", {"Namespace": "AWS/KMS"}),
        ("cloudwatch", "GetMetricData", {**window, "MetricDataQueries": [
            {"Id": "m", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Minimum"}}]}),
        ("cloudwatch", "GetMetricStatistics", {**metric, **window, "Period": 60,
                                               "Statistics": ["Minimum"]}),
        ("cloudwatch", "DescribeAlarms", {}),
        ("cloudwatch", "DescribeAlarms", {"AlarmNamePrefix": "sweep"}),
        ("cloudwatch", "DescribeAlarms", {"AlarmNames": ["sweep-expiry"]}),
        ("cloudwatch", "DescribeAlarms", {"StateValue": "ALARM"}),
        ("cloudwatch", "DescribeAlarms", {"ActionPrefix": "arn:aws:sns"}),
        ("kinesis", "StartStreamEncryption", {"StreamName": "sweep-stream",
                                              "EncryptionType": "KMS", "KeyId": key.arn}),
        ("kinesis", "PutRecord", {"StreamName": "sweep-stream", "Data": b"s",
                                  "PartitionKey": "p"}),
        ("kinesis", "GetRecords", {"ShardIterator": made["iterator"]}),
        ("sns", "CreateTopic", {"Name": "sweep-t2", "Attributes": {"KmsMasterKeyId":
                                                                    key.key_id}}),
        ("sns", "SetTopicAttributes", {"TopicArn": made["topic"],
                                       "AttributeName": "KmsMasterKeyId",
                                       "AttributeValue": key.arn}),
        ("sns", "Publish", {"TopicArn": made["topic"], "Message": "m"}),
        ("sns", "PublishBatch", {"TopicArn": made["topic"], "PublishBatchRequestEntries":
                                 [entry]}),
        ("lambda", "Invoke", {"FunctionName": "sweep-fn", "Payload": b"{}"}),
        ("lambda", "InvokeAsync", {"FunctionName": "sweep-fn", "InvokeArgs": b"{}"}),
        ("lambda", "UpdateFunctionConfiguration", {"FunctionName": "sweep-fn",
                                                   "KMSKeyArn": key.arn}),
    ]


# -- RDS and Redshift ----------------------------------------------------------------------

_DB = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "MasterUsername": "admin",
       "MasterUserPassword": "password123", "AllocatedStorage": 20}
_CLUSTER = {"Engine": "aurora-postgresql", "MasterUsername": "admin",
            "MasterUserPassword": "password123"}
_RS = {"NodeType": "ra3.xlplus", "MasterUsername": "admin", "MasterUserPassword": "Password123",
       "ClusterType": "single-node"}


def databases_setup(c: Client, key: Key) -> dict[str, Any]:
    rds, rs = c("rds"), c("redshift")
    enc = {"StorageEncrypted": True, "KmsKeyId": key.key_id}
    rds.create_db_instance(DBInstanceIdentifier="sweep-db", **_DB, **enc)
    rds.create_db_instance(DBInstanceIdentifier="sweep-stopped", **_DB, **enc)
    rds.stop_db_instance(DBInstanceIdentifier="sweep-stopped")
    rds.create_db_snapshot(DBInstanceIdentifier="sweep-db", DBSnapshotIdentifier="sweep-snap")
    rds.create_db_cluster(DBClusterIdentifier="sweep-cl", **_CLUSTER, **enc)
    rds.create_db_cluster(DBClusterIdentifier="sweep-cl-stopped", **_CLUSTER, **enc)
    rds.stop_db_cluster(DBClusterIdentifier="sweep-cl-stopped")
    rds.create_db_cluster_snapshot(DBClusterIdentifier="sweep-cl",
                                   DBClusterSnapshotIdentifier="sweep-cl-snap")
    rs_enc = {"Encrypted": True, "KmsKeyId": key.key_id}
    rs.create_cluster(ClusterIdentifier="sweep-rs", **_RS, **rs_enc)
    rs.create_cluster(ClusterIdentifier="sweep-rs-paused", **_RS, **rs_enc)
    rs.pause_cluster(ClusterIdentifier="sweep-rs-paused")
    rs.create_cluster_snapshot(ClusterIdentifier="sweep-rs", SnapshotIdentifier="sweep-rs-snap")
    return {"key": key}


def databases_calls(made: dict[str, Any]) -> list[Call]:
    key = made["key"]
    enc = {"StorageEncrypted": True, "KmsKeyId": key.key_id}
    return [
        ("rds", "CreateDBInstance", {"DBInstanceIdentifier": "sweep-db2", **_DB, **enc}),
        ("rds", "CreateDBCluster", {"DBClusterIdentifier": "sweep-cl2", **_CLUSTER, **enc}),
        ("rds", "CreateDBInstanceReadReplica", {"DBInstanceIdentifier": "sweep-replica",
                                                "SourceDBInstanceIdentifier": "sweep-db"}),
        ("rds", "StartDBInstance", {"DBInstanceIdentifier": "sweep-stopped"}),
        ("rds", "StartDBCluster", {"DBClusterIdentifier": "sweep-cl-stopped"}),
        ("rds", "RebootDBInstance", {"DBInstanceIdentifier": "sweep-db"}),
        ("rds", "RestoreDBInstanceFromDBSnapshot", {"DBInstanceIdentifier": "sweep-restored",
                                                    "DBSnapshotIdentifier": "sweep-snap"}),
        ("rds", "RestoreDBClusterFromSnapshot", {"DBClusterIdentifier": "sweep-cl-restored",
                                                 "SnapshotIdentifier": "sweep-cl-snap",
                                                 "Engine": "aurora-postgresql"}),
        ("rds", "CopyDBSnapshot", {"SourceDBSnapshotIdentifier": "sweep-snap",
                                   "TargetDBSnapshotIdentifier": "sweep-snap2",
                                   "KmsKeyId": key.arn}),
        ("rds", "CopyDBClusterSnapshot", {"SourceDBClusterSnapshotIdentifier": "sweep-cl-snap",
                                          "TargetDBClusterSnapshotIdentifier": "sweep-cl-snap2",
                                          "KmsKeyId": key.arn}),
        ("rds", "RestoreDBInstanceToPointInTime", {"SourceDBInstanceIdentifier": "sweep-db",
                                                   "TargetDBInstanceIdentifier": "sweep-pitr",
                                                   "UseLatestRestorableTime": True}),
        ("rds", "RestoreDBClusterToPointInTime", {"SourceDBClusterIdentifier": "sweep-cl",
                                                  "DBClusterIdentifier": "sweep-cl-pitr",
                                                  "UseLatestRestorableTime": True}),
        ("rds", "DescribeDBInstances", {}),
        ("rds", "DescribeDBClusters", {}),
        ("redshift", "CreateCluster", {"ClusterIdentifier": "sweep-rs2", **_RS,
                                       "Encrypted": True, "KmsKeyId": key.key_id}),
        ("redshift", "CreateClusterSnapshot", {"ClusterIdentifier": "sweep-rs",
                                               "SnapshotIdentifier": "sweep-rs-snap2"}),
        ("redshift", "RestoreFromClusterSnapshot", {"ClusterIdentifier": "sweep-rs-restored",
                                                    "SnapshotIdentifier": "sweep-rs-snap"}),
        ("redshift", "RestoreFromClusterSnapshot", {"ClusterIdentifier": "sweep-rs-rekeyed",
                                                    "SnapshotIdentifier": "sweep-rs-snap",
                                                    "KmsKeyId": key.arn}),
        ("redshift", "ResumeCluster", {"ClusterIdentifier": "sweep-rs-paused"}),
        ("redshift", "RebootCluster", {"ClusterIdentifier": "sweep-rs"}),
        ("redshift", "DescribeClusters", {}),
    ]


#: service group -> (setup, calls)
SCENARIOS: dict[str, tuple[Callable[[Client, Key], dict[str, Any]],
                           Callable[[dict[str, Any]], list[Call]]]] = {
    "s3": (s3_setup, s3_calls),
    "secrets": (secrets_setup, secrets_calls),
    "sqs": (sqs_setup, sqs_calls),
    "ebs": (ebs_setup, ebs_calls),
    "dynamodb": (ddb_setup, ddb_calls),
    "metrics": (metrics_setup, metrics_calls),
    "databases": (databases_setup, databases_calls),
}

#: Every patched moto attribute (``service module: owner.attribute``) -> a call reaching it.
COVERS: dict[str, str] = {
    "s3: S3Backend.put_object": "s3.PutObject",
    "s3: S3Backend.copy_object": "s3.CopyObject",
    "s3: S3Backend.create_multipart_upload": "s3.CreateMultipartUpload",
    "s3: S3Backend.upload_part": "s3.UploadPart",
    "s3: S3Backend.upload_part_copy": "s3.UploadPartCopy",
    "s3: S3Backend.complete_multipart_upload": "s3.CompleteMultipartUpload",
    "s3: S3Backend.select_object_content": "s3.SelectObjectContent",
    "s3: S3Response.get_object": "s3.GetObject",
    "s3: S3Response._key_response_post": "s3.CreateMultipartUpload",
    "s3: S3Response.setup_class": "s3.PutObject",
    "s3: moto.s3.notifications._get_s3_event": "s3.PutObject",
    "secretsmanager: SecretsManagerBackend._add_secret": "secretsmanager.PutSecretValue",
    "secretsmanager: SecretsManagerBackend.update_secret": "secretsmanager.UpdateSecret",
    "secretsmanager: SecretsManagerBackend.rotate_secret": "secretsmanager.RotateSecret",
    "secretsmanager: SecretsManagerBackend.get_secret_value": "secretsmanager.GetSecretValue",
    "secretsmanager: SecretsManagerBackend.batch_get_secret_value":
        "secretsmanager.BatchGetSecretValue",
    "secretsmanager: FakeSecret.create_replicas": "secretsmanager.ReplicateSecretToRegions",
    "secretsmanager: ReplicaSecret.to_dict": "secretsmanager.DescribeSecret",
    "ssm: SimpleSystemManagerBackend.put_parameter": "ssm.PutParameter",
    "ssm: Parameter.encrypt": "ssm.PutParameter",
    "ssm: Parameter.decrypt": "ssm.GetParameter",
    "ebs: EBSBackend.create_volume": "ec2.CreateVolume",
    "ebs: EBSBackend.create_snapshot": "ec2.CreateSnapshot",
    "ebs: EBSBackend.copy_snapshot": "ec2.CopySnapshot",
    "ebs: EBSBackend.attach_volume": "ec2.AttachVolume",
    "ebs: EBSBackend.detach_volume": "ec2.DetachVolume",
    "ebs: EBSBackend.modify_ebs_default_kms_key_id": "ec2.ModifyEbsDefaultKmsKeyId",
    "ebs: InstanceBackend.run_instances": "ec2.RunInstances",
    "ebs: InstanceBackend.start_instances": "ec2.StartInstances",
    "ebs: Volume.status": "ec2.DescribeVolumes",
    "ebs: Snapshot.status": "ec2.DescribeSnapshots",
    "sqs: SQSBackend.send_message": "sqs.SendMessage",
    "sqs: SQSBackend.send_message_batch": "sqs.SendMessageBatch",
    "sqs: SQSBackend.receive_message": "sqs.ReceiveMessage",
    "sqs: SQSBackend.create_queue": "sqs.CreateQueue",
    "sqs: SQSBackend.set_queue_attributes": "sqs.SetQueueAttributes",
    "sqs: Queue.wait_for_messages": "sqs.ReceiveMessage",
    "dynamodb: DynamoDBBackend.create_table": "dynamodb.CreateTable",
    "dynamodb: DynamoHandler.update_table": "dynamodb.UpdateTable",
    "dynamodb: Table.describe": "dynamodb.DescribeTable",
    "dynamodb: DynamoHandler.list_backups": "dynamodb.ListBackups",
    "dynamodb: DynamoHandler.get_item": "dynamodb.GetItem",
    "dynamodb: DynamoHandler.put_item": "dynamodb.PutItem",
    "dynamodb: DynamoHandler.update_item": "dynamodb.UpdateItem",
    "dynamodb: DynamoHandler.delete_item": "dynamodb.DeleteItem",
    "dynamodb: DynamoHandler.query": "dynamodb.Query",
    "dynamodb: DynamoHandler.scan": "dynamodb.Scan",
    "dynamodb: DynamoHandler.batch_get_item": "dynamodb.BatchGetItem",
    "dynamodb: DynamoHandler.batch_write_item": "dynamodb.BatchWriteItem",
    "dynamodb: DynamoHandler.transact_get_items": "dynamodb.TransactGetItems",
    "dynamodb: DynamoHandler.transact_write_items": "dynamodb.TransactWriteItems",
    "dynamodb: DynamoDBBackend.create_backup": "dynamodb.CreateBackup",
    "dynamodb: DynamoHandler.restore_table_from_backup": "dynamodb.RestoreTableFromBackup",
    "dynamodb: DynamoHandler.restore_table_to_point_in_time":
        "dynamodb.RestoreTableToPointInTime",
    "dynamodb: DynamoHandler.export_table_to_point_in_time":
        "dynamodb.ExportTableToPointInTime",
    "dynamodb: DynamoDBStreamsHandler.get_records": "dynamodbstreams.GetRecords",
    "dynamodb: DynamoHandler.execute_statement": "dynamodb.ExecuteStatement",
    "dynamodb: DynamoHandler.execute_transaction": "dynamodb.ExecuteTransaction",
    "dynamodb: DynamoDBBackend.batch_execute_statement": "dynamodb.BatchExecuteStatement",
    "cloudwatch: CloudWatchBackend.get_all_metrics": "cloudwatch.ListMetrics",
    "cloudwatch: CloudWatchBackend.get_metric_data": "cloudwatch.GetMetricData",
    "cloudwatch: CloudWatchBackend.get_metric_statistics": "cloudwatch.GetMetricStatistics",
    "cloudwatch: CloudWatchBackend.describe_alarms": "cloudwatch.DescribeAlarms",
    "cloudwatch: CloudWatchBackend.get_alarms_by_action_prefix": "cloudwatch.DescribeAlarms",
    "cloudwatch: CloudWatchBackend.get_alarms_by_alarm_name_prefix": "cloudwatch.DescribeAlarms",
    "cloudwatch: CloudWatchBackend.get_alarms_by_alarm_names": "cloudwatch.DescribeAlarms",
    "cloudwatch: CloudWatchBackend.get_alarms_by_state_value": "cloudwatch.DescribeAlarms",
    "kinesis: KinesisBackend.start_stream_encryption": "kinesis.StartStreamEncryption",
    "kinesis: KinesisBackend.get_records": "kinesis.GetRecords",
    "sns: SNSBackend.create_topic": "sns.CreateTopic",
    "sns: SNSBackend.set_topic_attribute": "sns.SetTopicAttributes",
    "sns: SNSBackend.publish_batch": "sns.PublishBatch",
    "awslambda: LambdaBackend.invoke": "lambda.Invoke",
    "awslambda: LambdaResponse.invoke_async": "lambda.InvokeAsync",
    "awslambda: LambdaSimpleBackend.invoke": "lambda.Invoke",
    "awslambda: LambdaBackend.update_function_configuration":
        "lambda.UpdateFunctionConfiguration",
    "rds: RDSBackend.create_db_instance": "rds.CreateDBInstance",
    "rds: RDSBackend.create_db_cluster": "rds.CreateDBCluster",
    "rds: RDSBackend.create_db_instance_read_replica": "rds.CreateDBInstanceReadReplica",
    "rds: RDSBackend.start_db_instance": "rds.StartDBInstance",
    "rds: RDSBackend.start_db_cluster": "rds.StartDBCluster",
    "rds: RDSBackend.reboot_db_instance": "rds.RebootDBInstance",
    "rds: RDSBackend.restore_db_instance_from_db_snapshot": "rds.RestoreDBInstanceFromDBSnapshot",
    "rds: RDSBackend.restore_db_cluster_from_snapshot": "rds.RestoreDBClusterFromSnapshot",
    "rds: RDSBackend.copy_db_snapshot": "rds.CopyDBSnapshot",
    "rds: RDSBackend.copy_db_cluster_snapshot": "rds.CopyDBClusterSnapshot",
    "rds: RDSBackend.restore_db_instance_to_point_in_time": "rds.RestoreDBInstanceToPointInTime",
    "rds: RDSBackend.restore_db_cluster_to_point_in_time": "rds.RestoreDBClusterToPointInTime",
    "rds: DBInstance.status": "rds.DescribeDBInstances",
    "rds: DBCluster.status": "rds.DescribeDBClusters",
    "redshift: RedshiftBackend.create_cluster": "redshift.CreateCluster",
    "redshift: RedshiftBackend.create_cluster_snapshot": "redshift.CreateClusterSnapshot",
    "redshift: RedshiftBackend.restore_from_cluster_snapshot":
        "redshift.RestoreFromClusterSnapshot",
    "redshift: RedshiftBackend.resume_cluster": "redshift.ResumeCluster",
    "redshift: Cluster.status": "redshift.DescribeClusters",
    "redshift: RedshiftResponse.reboot_cluster": "redshift.RebootCluster",
    "redshift: RedshiftResponse.restore_from_cluster_snapshot":
        "redshift.RestoreFromClusterSnapshot",
    "redshift: RedshiftResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER": "redshift.DescribeClusters",
}
