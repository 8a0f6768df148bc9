"""Order worker: processes a batch of SQS messages, reporting failures one by one.

On a FIFO queue a failed message must not be overtaken by the ones after it:
once one fails, the rest of the batch is reported as failed too, so SQS hands
them back in order (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
"""

import json


def process(order: dict) -> None:
    print(json.dumps({"order": order["id"], "status": "processed"}))


def handler(event, context):
    failures = []
    for record in event["Records"]:
        fifo = "MessageGroupId" in record.get("attributes", {})
        if failures and fifo:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        try:
            process(json.loads(record["body"]))
        except Exception as exc:  # report this message, keep the batch
            print(json.dumps({"failed": record["messageId"], "error": repr(exc)}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
