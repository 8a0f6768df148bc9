#!/usr/bin/env node
// The AWS CDK side of bench/cdk_compare.py: one SNS topic fanning out to N SQS
// queues (each with its own dead-letter queue), plus one SQS -> Lambda queue
// worker with a dead-letter queue, built from AWS Solutions Constructs and
// synthesized in-process with app.synth().
//
//   node bench/cdk/app.js [N] [OUTDIR] [HANDLER_DIR]
//
// N defaults to $BENCH_SUBSCRIBERS or 3, OUTDIR to $BENCH_CDK_OUT or ./cdk.out,
// HANDLER_DIR (the Lambda code folder, packaged as an asset) to ./handler next
// to this file.  Plain JavaScript, no compile step.  The npm packages are
// installed by bench/cdk_compare.py into bench/.cache/ (`npm ci` against
// bench/cdk/package-lock.json); they are looked up there first, then the
// ordinary way (e.g. after `npm ci` in this folder).
'use strict';

const path = require('path');
const { createRequire } = require('module');

// The constructs print one warning per overridden default (here: the queues'
// encryption), thousands at N=1000; keep stderr for real errors.
process.env.overrideWarningsEnabled ??= 'false';

const cacheRequire = createRequire(path.resolve(__dirname, '..', '.cache', 'package.json'));
function load(name) {
  try {
    return cacheRequire(name);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    return require(name);
  }
}

const cdk = load('aws-cdk-lib');
const lambda = load('aws-cdk-lib/aws-lambda');
const sqs = load('aws-cdk-lib/aws-sqs');
const { SnsToSqs } = load('@aws-solutions-constructs/aws-sns-sqs');
const { SqsToLambda } = load('@aws-solutions-constructs/aws-sqs-lambda');

const n = parseInt(process.argv[2] ?? process.env.BENCH_SUBSCRIBERS ?? '3', 10);
const outdir = path.resolve(process.argv[3] ?? process.env.BENCH_CDK_OUT ?? 'cdk.out');
const handlerDir = path.resolve(process.argv[4] ?? path.join(__dirname, 'handler'));
if (!Number.isInteger(n) || n < 1) {
  console.error(`usage: node app.js N [OUTDIR] [HANDLER_DIR]  (N >= 1, got ${process.argv[2]})`);
  process.exit(2);
}

const app = new cdk.App({
  outdir,
  context: {
    // CloudFormation's 500-resources-per-stack check, which CDK enforces at
    // synth (aws-cdk-lib core/lib/stack.ts, STACK_RESOURCE_LIMIT_CONTEXT);
    // 0 turns it off, so the 500- and 1000-subscriber stacks synthesize.
    '@aws-cdk/core:stackResourceLimit': 0,
  },
});
const stack = new cdk.Stack(app, 'Events', { env: { region: 'us-east-2' }, tags: { team: 'platform' } });

// Encryption as archgen renders it: topics on alias/aws/sns, queues SSE-SQS.
// The constructs' default would add a customer-managed KMS key per construct;
// with enableEncryptionWithCustomerManagedKey: false they fall back to the
// AWS-managed keys, and aws/sqs (their queue default) cannot take SNS
// deliveries, hence SQS_MANAGED.
const sseSqs = { encryption: sqs.QueueEncryption.SQS_MANAGED };

// Fan-out: the first construct creates the topic, the others subscribe to it
// (existingTopicObj).
let topic;
for (let i = 1; i <= n; i++) {
  const id = `sub${String(i).padStart(4, '0')}`;
  const fan = new SnsToSqs(stack, id, {
    ...(topic ? { existingTopicObj: topic } : {}),
    enableEncryptionWithCustomerManagedKey: false,
    queueProps: sseSqs,
    deployDeadLetterQueue: true,
    deadLetterQueueProps: sseSqs,
    maxReceiveCount: 5,
  });
  topic = fan.snsTopic;
}

// Queue worker: SQS -> Lambda with a dead-letter queue.
new SqsToLambda(stack, 'jobs', {
  lambdaFunctionProps: {
    runtime: lambda.Runtime.PYTHON_3_12,
    handler: 'app.handler',
    code: lambda.Code.fromAsset(handlerDir),
    timeout: cdk.Duration.seconds(30),
  },
  enableEncryptionWithCustomerManagedKey: false,
  queueProps: sseSqs,
  deployDeadLetterQueue: true,
  deadLetterQueueProps: sseSqs,
  maxReceiveCount: 5,
});

const assembly = app.synth();
const template = assembly.getStackByName(stack.stackName).template;
const resources = Object.keys(template.Resources ?? {}).length;
console.log(JSON.stringify({ subscribers: n, resources, outdir: assembly.directory }));
