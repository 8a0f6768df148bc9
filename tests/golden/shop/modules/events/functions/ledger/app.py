"""Billing worker: consumes invoice events from its fan-out subscriber queue.

Without raw_message_delivery, SNS wraps each message in a JSON envelope whose
`Message` field holds what the publisher sent; with it, the body is that message.
Failures are reported per message; on a FIFO queue the rest of the batch after a
failure is reported too, so that messages of a group stay in order.
"""

import json


def message_of(record: dict) -> dict:
    body = json.loads(record["body"])
    if isinstance(body, dict) and body.get("Type") == "Notification" and "Message" in body:
        return json.loads(body["Message"])
    return body


def process(invoice: dict) -> None:
    print(json.dumps({"invoice": invoice["id"], "amount": invoice["amount"]}))


def handler(event, context):
    failures = []
    for record in event["Records"]:
        fifo = "MessageGroupId" in record.get("attributes", {})
        if failures and fifo:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        try:
            process(message_of(record))
        except Exception as exc:  # report this message, keep the batch
            print(json.dumps({"failed": record["messageId"], "error": repr(exc)}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
