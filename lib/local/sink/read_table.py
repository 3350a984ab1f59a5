"""Reads an Iceberg table with pyiceberg, independently of the sink's own code, and prints it as JSON.

Usage: python read_table.py '<json request>'
  {"catalog": "directory", "location": "<table dir or file:// URI>"}
  {"catalog": "glue", "database": "...", "table": "...", "endpoint": "http://...", "region": "eu-west-1"}
Optional: "rowFilter" (pyiceberg filter expression), "rows": false to print counts only.
Output: {"rowCount", "schema": [{id, name, type, required}], "identifierFieldIds", "partitionSpec":
[{sourceId, fieldId, name, transform}], "plannedFiles", "snapshotSummary", "partitions": [...], "rows": [...]}.
"""

import datetime
import json
import os
import sys

from pyiceberg.table import StaticTable


def load(request):
    if request["catalog"] == "directory":
        return StaticTable.from_metadata(request["location"])
    from pyiceberg.catalog import load_catalog

    key = os.environ.get("AWS_ACCESS_KEY_ID", "stratus-local")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "stratus-local")
    catalog = load_catalog(
        "stratus",
        **{
            "type": "glue",
            "glue.endpoint": request["endpoint"],
            "glue.region": request["region"],
            "glue.access-key-id": key,
            "glue.secret-access-key": secret,
            "s3.endpoint": request["endpoint"],
            "s3.region": request["region"],
            "s3.access-key-id": key,
            "s3.secret-access-key": secret,
            "s3.force-virtual-addressing": "false",
        },
    )
    return catalog.load_table((request["database"], request["table"]))


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def main():
    request = json.loads(sys.argv[1])
    table = load(request)
    scan = table.scan(row_filter=request["rowFilter"]) if request.get("rowFilter") else table.scan()
    planned = list(scan.plan_files())
    arrow = scan.to_arrow()
    schema = table.schema()
    snapshot = table.current_snapshot()
    result = {
        "rowCount": arrow.num_rows,
        "schema": [
            {"id": f.field_id, "name": f.name, "type": str(f.field_type), "required": f.required}
            for f in schema.fields
        ],
        "identifierFieldIds": sorted(schema.identifier_field_ids),
        "partitionSpec": [
            {"sourceId": f.source_id, "fieldId": f.field_id, "name": f.name, "transform": str(f.transform)}
            for f in table.spec().fields
        ],
        "plannedFiles": len(planned),
        "partitions": sorted({json.dumps([plain(v) for v in t.file.partition]) for t in planned}),
        "snapshotSummary": dict(snapshot.summary.additional_properties) if snapshot else None,
    }
    if snapshot:
        result["snapshotSummary"]["operation"] = str(snapshot.summary.operation.value)
    if request.get("rows", True):
        result["rows"] = [{k: plain(v) for k, v in row.items()} for row in arrow.to_pylist()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
