"""Order worker: processes a batch of SQS messages, reporting failures one by one."""

import json


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            print(json.dumps({"order": order.get("id"), "status": "processed"}))
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
