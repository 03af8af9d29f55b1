"""register-model: copy a model into <registry>/<name>/<version>/ atomically (the mldsl runtime provides inputs)."""
import hashlib
import json
import os
import shutil
import tempfile

root = os.path.join(inputs["registry"], inputs["name"])
os.makedirs(root, exist_ok=True)
source = inputs["model"]
digest = hashlib.sha256()
if os.path.isdir(source):
    for folder, _, files in sorted(os.walk(source)):
        for f in sorted(files):
            with open(os.path.join(folder, f), "rb") as fh:
                digest.update(fh.read())
else:
    with open(source, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
existing = [int(d) for d in os.listdir(root) if d.isdigit()]
version = max(existing, default=0) + 1
staging = tempfile.mkdtemp(prefix=".staging-", dir=root)
target = os.path.join(staging, "model")
if os.path.isdir(source):
    shutil.copytree(source, target)
else:
    shutil.copyfile(source, target)
card = {"name": inputs["name"], "version": version, "sha256": digest.hexdigest(), "metadata": inputs["metadata"] or {}}
with open(os.path.join(staging, "model.json"), "w", encoding="utf-8") as fh:
    json.dump(card, fh, indent=2, sort_keys=True)
final = os.path.join(root, str(version))
os.rename(staging, final)  # another run that took the same number fails here instead of overwriting
prefix = (inputs.get("uri_prefix") or "").rstrip("/")  # 1.1.0: how servers address the registry
relative = os.path.relpath(os.path.join(final, "model"), inputs["registry"]).replace(os.sep, "/")
write_output("uri", f"{prefix}/{relative}" if prefix else os.path.join(final, "model"))
write_output("version", version)
write_output("sha256", digest.hexdigest())
print(f"register-model: {inputs['name']} version {version} at {final}")
