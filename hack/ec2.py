"""Small EC2 helper for the demo, run with the moto virtualenv's Python (boto3 comes with moto).

  ec2.py setup                 -> prints "<subnet-id> <allocation-id>" (a default subnet, a new EIP)
  ec2.py eip ALLOCATION_ID     -> prints "<public-ip> <instance-id> <version tag>"
  ec2.py count RELEASE_KEY     -> prints "<launched> <running> <terminated>" for a Release's instances
"""
import os
import sys

import boto3

ec2 = boto3.client("ec2", endpoint_url=os.environ["CUTOVER_EC2_ENDPOINT"],
                   region_name=os.environ.get("AWS_REGION", "us-east-1"))


def tags(instance):
    return {t["Key"]: t["Value"] for t in instance.get("Tags", [])}


def instances(release_key):
    pages = ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "tag:cutover.dev/release", "Values": [release_key]}])
    return [i for p in pages for r in p["Reservations"] for i in r["Instances"]]


command = sys.argv[1]
if command == "setup":
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    print(subnet, ec2.allocate_address(Domain="vpc")["AllocationId"])
elif command == "eip":
    address = ec2.describe_addresses(AllocationIds=[sys.argv[2]])["Addresses"][0]
    instance_id = address.get("InstanceId") or "-"
    version = "-"
    if instance_id != "-":
        found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        version = tags(found).get("cutover.dev/version", "?")
    print(address["PublicIp"], instance_id, version)
elif command == "count":
    found = instances(sys.argv[2])
    running = sum(1 for i in found if i["State"]["Name"] in ("pending", "running"))
    gone = sum(1 for i in found if i["State"]["Name"] in ("shutting-down", "terminated"))
    print(len(found), running, gone)
