"""Notification worker: one SNS record per asynchronous invoke; raising lets Lambda retry."""

import json


def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        print(json.dumps({"notify": message.get("user"), "template": message.get("template")}))
