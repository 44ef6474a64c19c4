"""Runs notebooks top to bottom and saves the executed copies; exits 1 if any cell fails.

    python notebooks/run.py OUT_DIR notebooks/model_review.ipynb notebooks/data_quality.ipynb

Needs the packages of requirements/notebooks.txt. Settings reach the notebooks through the environment
(MLFLOW_TRACKING_URI, TREELINE_MODEL, TREELINE_PIPELINE, TREELINE_HOME; see each notebook's first cell).
"""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main(out_dir, paths):
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    for path in map(pathlib.Path, paths):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent.resolve())}})
        try:
            client.execute()
            print(f"{path.name}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells ran")
        except CellExecutionError as e:
            failed.append(path.name)
            print(f"{path.name}: a cell failed\n{e}", file=sys.stderr)
        finally:
            nbformat.write(nb, out / path.name)
    if failed:
        print(f"failed: {', '.join(failed)} (executed copies with the error in {out})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
