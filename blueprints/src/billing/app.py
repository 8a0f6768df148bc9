"""Billing worker: consumes invoice events from its fan-out queue."""

import json


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            invoice = json.loads(record["body"])
            print(json.dumps({"invoice": invoice["id"], "amount": invoice["amount"]}))
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
