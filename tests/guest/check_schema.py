#!/usr/bin/python3
# Validates JSON on standard input against one definition of
# docs/accelctl.schema.json; prints the first error and exits 1 if invalid.
#   check_schema.py SCHEMA DEFINITION < output.json
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
root = {"$schema": schema["$schema"], "$defs": schema["$defs"],
        "$ref": "#/$defs/" + sys.argv[2]}
try:
    jsonschema.Draft202012Validator(root).validate(json.load(sys.stdin))
except jsonschema.ValidationError as e:
    print(f"{sys.argv[2]}: {e.message} at {list(e.absolute_path)}", file=sys.stderr)
    sys.exit(1)
