"""Check AWS ParallelCluster 3 cluster configurations with ParallelCluster's own code, offline.

archgen runs this file with the python of a separate virtualenv that has the
`aws-parallelcluster` 3.x package (its boto3 pins clash with other tools), so it
must not import archgen:

    python pcluster_check.py cluster-a.yaml [cluster-b.yaml ...]

It prints one JSON list on stdout, one object per problem found:

    {"file": <argument as given>, "path": [keys and list indexes], "message": str,
     "source": "schema" | "yaml" | <ParallelCluster validator class>, "line": int (yaml only)}

and exits 0 when it could check every file (whether or not it found problems),
2 when it could not run (package missing, unreadable file, unexpected crash).

What runs, in ParallelCluster's own order (pcluster/models/cluster.py,
Cluster._validate_and_parse_config):
1. the file is read with pcluster.utils.yaml_load (PyYAML safe_load that also
   rejects duplicate keys);
2. ClusterSchema.load: every marshmallow schema, with unknown keys rejected, and
   the nested post_load hooks that build the config objects (HeadNode,
   SlurmQueue, SharedFsxLustre, ...) - all of them local. Only the top-level
   hook is skipped: ClusterSchema.make_resource builds SlurmClusterConfig, whose
   __init__ calls EC2 DescribeCapacityReservations (and Resource Groups when a
   CapacityReservationResourceGroupArn is set);
3. only when the schema passed: the subset of ParallelCluster's validators that
   need no AWS call (names, counts, min/max, FSx Lustre options and capacity,
   reserved mount dirs), registered with the arguments that
   pcluster/config/cluster_config.py gives them. Failures of level ERROR are
   reported (the default --validation-failure-level of create-cluster);
   warnings and infos are not.
Validators that need AWS (instance types and EFA support, subnets, AMIs, IAM,
S3 buckets, KMS keys, quotas, ...) are not run.

Nothing may reach the network: the AWS environment is pinned to a region taken
from the file, dummy credentials, no instance metadata and no shared config
files, and socket connections and name lookups raise (and end the run with
exit 2) instead of leaving the machine.
"""

import json
import os
import socket
import sys

DEFAULT_REGION = "us-east-1"
CLUSTER_NAME = "archgen-check"  # only used by the skipped SlurmClusterConfig and ClusterNameValidator

_OFFLINE_ENV = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCESS_KEY_ID": "AKIAOFFLINEARCHGEN00",
    "AWS_SECRET_ACCESS_KEY": "offline-archgen-check",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_DEFAULT_REGION": DEFAULT_REGION,
}
_UNSET_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


class NetworkAttempt(BaseException):
    """Raised on any connection or name lookup; a BaseException so that no `except Exception` in pcluster eats it."""


def _no_network(*args, **kwargs):
    raise NetworkAttempt(f"pcluster_check: attempted network access {args!r}")


def _go_offline():
    for name in _UNSET_ENV:
        os.environ.pop(name, None)
    os.environ.update(_OFFLINE_ENV)
    socket.socket.connect = _no_network
    socket.socket.connect_ex = _no_network
    socket.create_connection = _no_network
    socket.getaddrinfo = _no_network


def _flatten(messages, path):
    """(path, message) pairs of a marshmallow error dict: keys are field data keys, list indexes, or `_schema`."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path + [key])
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (dict, list, tuple)):
                yield from _flatten(item, path)
            else:
                yield path, str(item)
    else:
        yield path, str(messages)


def _offline_validators(config):
    """(path, validator class, kwargs) of the validators that need no AWS call, as cluster_config.py registers them."""
    from pcluster.config.cluster_config import SharedEbs, SharedEfs, SharedFsxLustre
    from pcluster.constants import (
        MAX_COMPUTE_RESOURCES_PER_QUEUE,
        MAX_EBS_COUNT,
        MAX_EXISTING_STORAGE_COUNT,
        MAX_NEW_STORAGE_COUNT,
        MAX_NUMBER_OF_COMPUTE_RESOURCES_PER_CLUSTER,
        MAX_NUMBER_OF_QUEUES,
    )
    from pcluster.validators import cluster_validators as cv
    from pcluster.validators import fsx_validators as fv

    checks = []
    head_node = config["head_node"]
    # HeadNode._register_validators
    checks.append(
        (
            ["HeadNode"],
            cv.SharedStorageEfsSettingsValidator,
            dict(
                shared_storage_type=head_node.shared_storage_type,
                shared_storage_efs_settings=head_node.shared_storage_efs_settings,
            ),
        )
    )

    # SlurmScheduling._register_validators
    queues = config["scheduling"].queues or []
    queues_path = ["Scheduling", "SlurmQueues"]
    checks.append((queues_path, cv.DuplicateNameValidator, dict(name_list=[q.name for q in queues], resource_name="Queue")))
    checks.append(
        (
            queues_path,
            cv.MaxCountValidator,
            dict(resources_length=len(queues), max_length=MAX_NUMBER_OF_QUEUES, resource_name="SlurmQueues"),
        )
    )
    checks.append(
        (
            queues_path,
            cv.MaxCountValidator,
            dict(
                resources_length=sum(len(q.compute_resources) for q in queues),
                max_length=MAX_NUMBER_OF_COMPUTE_RESOURCES_PER_CLUSTER,
                resource_name="ComputeResources per Cluster",
            ),
        )
    )
    for i, queue in enumerate(queues):
        queue_path = queues_path + [i]
        resources_path = queue_path + ["ComputeResources"]
        # BaseQueue / SlurmQueue._register_validators
        checks.append((queue_path + ["Name"], cv.NameValidator, dict(name=queue.name)))
        checks.append(
            (
                resources_path,
                cv.DuplicateNameValidator,
                dict(name_list=[cr.name for cr in queue.compute_resources], resource_name="Compute resource"),
            )
        )
        checks.append(
            (
                resources_path,
                cv.MaxCountValidator,
                dict(
                    resources_length=len(queue.compute_resources),
                    max_length=MAX_COMPUTE_RESOURCES_PER_QUEUE,
                    resource_name="ComputeResources per Queue",
                ),
            )
        )
        # multi_az_enabled needs the subnets' zones (EC2); one subnet is one zone
        single_subnet = len(queue.networking.subnet_ids) == 1
        for j, resource in enumerate(queue.compute_resources):
            resource_path = resources_path + [j]
            checks.append((resource_path + ["Name"], cv.NameValidator, dict(name=resource.name)))
            checks.append(
                (
                    resource_path,
                    cv.ComputeResourceSizeValidator,
                    dict(min_count=resource.min_count, max_count=resource.max_count, capacity_type=queue.capacity_type),
                )
            )
            if single_subnet:
                placement = queue.get_chosen_placement_group_setting_for_compute_resource(resource)
                checks.append(
                    (
                        resource_path,
                        cv.EfaPlacementGroupValidator,
                        dict(
                            efa_enabled=resource.efa.enabled,
                            placement_group_key=queue.get_placement_group_settings_for_compute_resource(resource).get(
                                "key"
                            ),
                            placement_group_disabled=placement.enabled is False,
                            multi_az_enabled=False,
                            capacity_type=queue.capacity_type,
                            queue_name=queue.name,
                        ),
                    )
                )

    # BaseClusterConfig._register_storage_validators and SharedFsxLustre._register_validators
    storages = config.get("shared_storage") or []
    storage_path = ["SharedStorage"]
    if storages:
        checks.append(
            (
                storage_path,
                cv.DuplicateNameValidator,
                dict(name_list=[s.name for s in storages], resource_name="Shared Storage"),
            )
        )
    ebs_count = 0
    new_count = {"efs": 0, "fsx": 0, "raid": 0}
    existing_count = {"efs": 0, "fsx": 0, "raid": 0}
    for k, storage in enumerate(storages):
        checks.append((storage_path + [k, "Name"], cv.SharedStorageNameValidator, dict(name=storage.name)))
        checks.append((storage_path + [k, "MountDir"], cv.SharedStorageMountDirValidator, dict(mount_dir=storage.mount_dir)))
        if isinstance(storage, SharedFsxLustre):
            if storage.file_system_id:
                existing_count["fsx"] += 1
            else:
                new_count["fsx"] += 1
            fsx_path = storage_path + [k, "FsxLustreSettings"]
            s = storage
            checks += [
                (
                    fsx_path,
                    fv.FsxDraValidator,
                    dict(
                        data_repository_associations=s.data_repository_associations,
                        import_path=s.import_path,
                        export_path=s.export_path,
                    ),
                ),
                (
                    fsx_path,
                    fv.FsxS3Validator,
                    dict(
                        import_path=s.import_path,
                        imported_file_chunk_size=s.imported_file_chunk_size,
                        export_path=s.export_path,
                        auto_import_policy=s.auto_import_policy,
                    ),
                ),
                (
                    fsx_path,
                    fv.FsxPersistentOptionsValidator,
                    dict(
                        deployment_type=s.deployment_type,
                        kms_key_id=s.kms_key_id,
                        per_unit_storage_throughput=s.per_unit_storage_throughput,
                    ),
                ),
                (
                    fsx_path,
                    fv.FsxBackupOptionsValidator,
                    dict(
                        automatic_backup_retention_days=s.automatic_backup_retention_days,
                        daily_automatic_backup_start_time=s.daily_automatic_backup_start_time,
                        copy_tags_to_backups=s.copy_tags_to_backups,
                        deployment_type=s.deployment_type,
                        imported_file_chunk_size=s.imported_file_chunk_size,
                        import_path=s.import_path,
                        export_path=s.export_path,
                        auto_import_policy=s.auto_import_policy,
                    ),
                ),
                (
                    fsx_path,
                    fv.FsxStorageTypeOptionsValidator,
                    dict(
                        fsx_storage_type=s.fsx_storage_type,
                        deployment_type=s.deployment_type,
                        per_unit_storage_throughput=s.per_unit_storage_throughput,
                        drive_cache_type=s.drive_cache_type,
                    ),
                ),
                (
                    fsx_path,
                    fv.FsxStorageCapacityValidator,
                    dict(
                        storage_capacity=s.storage_capacity,
                        deployment_type=s.deployment_type,
                        fsx_storage_type=s.fsx_storage_type,
                        per_unit_storage_throughput=s.per_unit_storage_throughput,
                        file_system_id=s.file_system_id,
                        backup_id=s.backup_id,
                    ),
                ),
            ]
        elif isinstance(storage, SharedEbs):
            if storage.raid:
                new_count["raid"] += 1
            else:
                ebs_count += 1
        elif isinstance(storage, SharedEfs):
            if storage.file_system_id:
                existing_count["efs"] += 1
            else:
                new_count["efs"] += 1
        else:  # FsxOpenZfs, FsxOntap, FileCache: always existing ones
            existing_count["fsx"] += 1
    if storages:
        # _validate_max_storage_count
        for kind in ("EFS", "FSx", "RAID"):
            key = kind.lower()
            checks.append(
                (
                    storage_path,
                    cv.NumberOfStorageValidator,
                    dict(storage_type=f"new {kind}", max_number=MAX_NEW_STORAGE_COUNT[key], storage_count=new_count[key]),
                )
            )
            checks.append(
                (
                    storage_path,
                    cv.NumberOfStorageValidator,
                    dict(
                        storage_type=f"existing {kind}",
                        max_number=MAX_EXISTING_STORAGE_COUNT[key],
                        storage_count=existing_count[key],
                    ),
                )
            )
        checks.append(
            (
                storage_path,
                cv.NumberOfStorageValidator,
                dict(storage_type="EBS", max_number=MAX_EBS_COUNT, storage_count=ebs_count),
            )
        )
        # _validate_new_storage_multiple_subnets
        compute_subnet_ids = sorted({subnet for q in queues for subnet in q.networking.subnet_ids})
        checks.append(
            (
                storage_path,
                cv.ManagedFsxMultiAzValidator,
                dict(compute_subnet_ids=compute_subnet_ids, new_storage_count=new_count),
            )
        )
    return checks


def check_file(path, cluster_schema):
    from marshmallow import ValidationError
    from pcluster.utils import yaml_load
    from pcluster.validators.common import FailureLevel
    from yaml import YAMLError

    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    try:
        data = yaml_load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        entry = {"file": path, "path": [], "message": f"not valid YAML: {problem}", "source": "yaml"}
        if mark is not None:
            entry["line"] = mark.line + 1
        return [entry]

    region = data.get("Region") if isinstance(data, dict) else None
    # what pcluster's configure_aws_region_from_config does; only read locally (us-iso root volume default)
    os.environ["AWS_DEFAULT_REGION"] = region if isinstance(region, str) and region else DEFAULT_REGION
    try:
        config = cluster_schema(cluster_name=CLUSTER_NAME).load(data)
    except ValidationError as exc:
        return [
            {"file": path, "path": key_path, "message": message, "source": "schema"}
            for key_path, message in _flatten(exc.messages, [])
        ]

    problems = []
    for key_path, validator_class, kwargs in _offline_validators(config):
        for failure in validator_class().execute(**kwargs):
            if failure.level.value >= FailureLevel.ERROR.value:
                source = validator_class.__name__
                problems.append({"file": path, "path": key_path, "message": failure.message, "source": source})
    return problems


def _offline_cluster_schema():
    """ClusterSchema without its post_load, and post_load crashes of nested schemas turned into schema errors."""
    import marshmallow
    from marshmallow import ValidationError
    from marshmallow.decorators import POST_LOAD
    from pcluster.schemas.cluster_schema import ClusterSchema

    class OfflineClusterSchema(ClusterSchema):
        # Overriding the name without @post_load removes the hook (marshmallow resolves hooks by attribute
        # name): no SlurmClusterConfig, hence no EC2/Resource Groups call; load() returns the dict of sections.
        def make_resource(self, data, original_data=None, **kwargs):
            return data

    original = marshmallow.Schema._invoke_load_processors

    def message(exc):
        return f"ParallelCluster cannot build this section: {type(exc).__name__}: {exc}"

    def invoke_load_processors(self, tag, data, *, many, original_data, partial):
        try:
            return original(self, tag, data, many=many, original_data=original_data, partial=partial)
        except ValidationError:
            raise
        except Exception as exc:  # e.g. TypeError from SlurmQueue(**data) when ComputeResources is missing
            if tag != POST_LOAD:
                raise
            if not many:
                # marshmallow files a ValidationError raised by post_load under `_schema` of that section
                raise ValidationError(message(exc)) from exc
            # a list section (SlurmQueues, ComputeResources, SharedStorage): find the item(s) that fail, so
            # that the error path has the index; the hooks only build objects, running them again is harmless
            errors = {}
            for index, item in enumerate(data):
                item_original = original_data[index] if isinstance(original_data, list) else original_data
                try:
                    original(self, tag, item, many=False, original_data=item_original, partial=partial)
                except ValidationError as item_exc:
                    errors[index] = item_exc.normalized_messages()
                except Exception as item_exc:
                    errors[index] = {"_schema": [message(item_exc)]}
            raise ValidationError(errors or message(exc)) from exc

    marshmallow.Schema._invoke_load_processors = invoke_load_processors
    return OfflineClusterSchema


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[0] + "\nusage: python pcluster_check.py FILE.yaml [FILE.yaml ...]", file=sys.stderr)
        return 2
    _go_offline()
    try:
        import pcluster  # noqa: F401
        import yaml  # noqa: F401

        cluster_schema = _offline_cluster_schema()
    except ImportError as exc:
        print(f"pcluster_check: aws-parallelcluster 3.x is not importable by {sys.executable}: {exc}", file=sys.stderr)
        return 2
    problems = []
    try:
        for path in argv:
            problems += check_file(path, cluster_schema)
    except OSError as exc:
        print(f"pcluster_check: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except NetworkAttempt as exc:
        print(str(exc), file=sys.stderr)
        return 2
    json.dump(problems, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:  # a crash of pcluster or of this script: not a verdict on the files
        import traceback

        traceback.print_exc()
        sys.exit(2)
