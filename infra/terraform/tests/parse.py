"""Parses every Terraform file under infra/terraform with python-hcl2 and checks the conventions the
modules promise: every variable and output is documented, every module has versions.tf. Prints one JSON
object (files, variables, outputs, resources, problems) and exits 1 on a parse error or a problem."""
import json
import pathlib
import sys

import hcl2

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
summary = {"files": 0, "variables": 0, "outputs": 0, "resources": 0, "modules": [], "problems": []}
for path in sorted(root.rglob("*.tf")):
    if ".terraform" in path.parts:
        continue
    rel = str(path.relative_to(root))
    try:
        with path.open() as f:
            doc = hcl2.load(f)
    except Exception as e:  # one line per unparseable file
        summary["problems"].append(f"{rel}: does not parse: {str(e).splitlines()[0]}")
        continue
    summary["files"] += 1
    for block in doc.get("variable", []):
        for name, body in block.items():
            summary["variables"] += 1
            if not str(body.get("description", "")).strip():
                summary["problems"].append(f"{rel}: variable {name} has no description")
            if "type" not in body:
                summary["problems"].append(f"{rel}: variable {name} has no type")
    for block in doc.get("output", []):
        for name, body in block.items():
            summary["outputs"] += 1
            if not str(body.get("description", "")).strip():
                summary["problems"].append(f"{rel}: output {name} has no description")
    for block in doc.get("resource", []):
        summary["resources"] += sum(len(v) for v in block.values())
# What issue 17 asks of the stack, kept true: the controllers share one workspace (EFS, encrypted in transit),
# and the Spark cluster can call back to a client-mode driver in the controller.
def resources(rel, kind):
    path = root / rel
    if not path.exists():
        return {}
    with path.open() as f:
        doc = hcl2.load(f)
    return {name: body for block in doc.get("resource", []) for k, v in block.items() if k == kind for name, body in v.items()}

def one(value):
    """python-hcl2 gives attribute values as one-element lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value

for name, body in resources("modules/controller/main.tf", "aws_ecs_task_definition").items():
    volumes = {one(v.get("name")): v for v in body.get("volume", [])}
    efs = one(volumes.get("workspace", {}).get("efs_volume_configuration") or [{}])
    if not one(efs.get("file_system_id")) or one(efs.get("transit_encryption")) != "ENABLED":
        summary["problems"].append(f"modules/controller/main.tf: task definition {name}: the workspace volume must be EFS with transit_encryption ENABLED, shared by every controller")
callbacks = [b for b in resources("modules/spark_emr/main.tf", "aws_vpc_security_group_ingress_rule").values()
             if "client_security_group_ids" in str(b.get("for_each", "")) and "each.value" in str(b.get("security_group_id", ""))]
if not callbacks:
    summary["problems"].append("modules/spark_emr/main.tf: no ingress rule lets the cluster reach a client-mode driver in the controller")
for module in sorted(p for p in root.glob("modules/*") if p.is_dir()):
    summary["modules"].append(module.name)
    for required in ["main.tf", "variables.tf", "outputs.tf", "versions.tf"]:
        if not (module / required).exists():
            summary["problems"].append(f"modules/{module.name}: {required} is missing")
print(json.dumps(summary))
sys.exit(1 if summary["problems"] else 0)
