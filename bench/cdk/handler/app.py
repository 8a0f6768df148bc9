"""Queue worker handler the bench's CDK app packages (the archgen side gets the same file)."""

import json


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            print(json.dumps({"message": json.loads(record["body"])}))
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
