"""Argo templates for modules: the step contract of SPEC §1.3 made concrete.

Parameter inputs arrive as template parameters (and as ``MLDSL_INPUT_<NAME>``
environment variables), artifact inputs as files under ``/mldsl/inputs``;
outputs are read back from ``/mldsl/outputs`` (an emptyDir volume, so the
folder exists in any image).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal, cast

from mldsl.backends import k8s
from mldsl.backends.argo import model as m
from mldsl.backends.argo.exprs import (
    INPUTS_DIR,
    OUTPUTS_DIR,
    Lowering,
    escape_text,
    literal_text,
)
from mldsl.compiler import ir
from mldsl.lang.constraints import Param
from mldsl.lang.runtime import ID_DIR

OUTPUTS_VOLUME = "mldsl-outputs"
#: the secret an unbound optional secret input points at; with ``optional: true`` its absence is fine
ABSENT_SECRET = "mldsl-absent"
_IN_TEMPLATE = Lowering(task=lambda step: step)


def module_slug(module: ir.Module) -> str:
    """``train-xgboost-1-2-0``: the module's name and version in DNS-safe characters."""
    version = re.sub(r"[^a-z0-9]+", "-", module.version.lower()).strip("-")
    return f"{module.name}-{version}"


def template_name(module: ir.Module) -> str:
    """``train-xgboost-1-2-0``: DNS-safe, unique per module version."""
    return fit_name(module_slug(module))


def step_template_name(module: ir.Module, task: str) -> str:
    return fit_name(f"{template_name(module)}-{task}")


def fit_name(name: str, limit: int = 63) -> str:
    """Names over the limit keep a readable prefix and a stable hash suffix."""
    if len(name) <= limit:
        return name
    import hashlib

    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return name[: limit - 9].rstrip("-") + "-" + digest


def secret_params(p_name: str) -> tuple[str, str]:
    """The template parameters that carry a secret input's name and key."""
    return f"{p_name}-secret-name", f"{p_name}-secret-key"


def env_name(input_name: str) -> str:
    return "MLDSL_INPUT_" + input_name.upper()


def env_entry(name: str, value: ir.IValue, low: Lowering, module: ir.Module | None = None) -> m.EnvVar:
    if isinstance(value, ir.ISecret):
        return {"name": name, "valueFrom": {"secretKeyRef": {"name": value.name, "key": value.key}}}
    if isinstance(value, ir.IInput) and value.type.kind == "secret" and module is not None:
        p = module.input(value.name)
        assert p is not None
        return {"name": name, "valueFrom": {"secretKeyRef": _secret_ref(p)}}
    return {"name": name, "value": low.text(value)}


def _secret_ref(p: Param) -> dict[str, object]:
    """The ``secretKeyRef`` of a secret input: the secret and key its step binds, as template parameters."""
    name_param, key_param = secret_params(p.name)
    ref: dict[str, object] = {"name": "{{inputs.parameters.%s}}" % name_param, "key": "{{inputs.parameters.%s}}" % key_param}
    if p.optional:
        ref["optional"] = True
    return ref


def secret_parameters(p: Param) -> list[m.Parameter]:
    """The two parameters that carry a secret input's secret name and key."""
    name_param, key_param = secret_params(p.name)
    if p.optional:  # an unbound optional secret reads from no secret at all
        return [{"name": name_param, "default": ABSENT_SECRET}, {"name": key_param, "default": ABSENT_SECRET}]
    return [{"name": name_param}, {"name": key_param}]


def _inputs(module: ir.Module) -> m.Inputs:
    params: list[m.Parameter] = []
    arts: list[m.Artifact] = []
    for p in module.inputs:
        if p.type.kind == "artifact":
            art: m.Artifact = {"name": p.name, "path": f"{INPUTS_DIR}/{p.name}"}
            if p.optional:
                art["optional"] = True
            arts.append(art)
        elif p.type.kind == "secret":
            params.extend(secret_parameters(p))
        else:
            params.append(declared_parameter(p, "default"))
    return cast(m.Inputs, parameters_and_artifacts(params, arts))


def declared_parameter(p: Param, value_key: Literal["default", "value"]) -> m.Parameter:
    """An Argo parameter for a declared input or pipeline param: default, enum, description."""
    param: m.Parameter = {"name": p.name}
    if p.has_default:
        param[value_key] = escape_text(literal_text(p.default))
    elif p.optional:
        param[value_key] = ""
    if p.type.kind == "enum" and p.type.values:
        param["enum"] = [literal_text(v) for v in p.type.values]
    if p.description:
        param["description"] = p.description
    return param


def parameters_and_artifacts(params: Sequence[object], arts: Sequence[object]) -> dict[str, Any]:
    """``{parameters, artifacts}`` with the empty ones left out (inputs, outputs, arguments)."""
    out: dict[str, Any] = {}
    if params:
        out["parameters"] = list(params)
    if arts:
        out["artifacts"] = list(arts)
    return out


def _outputs(module: ir.Module, artifact_keys: dict[str, dict[str, Any]], identities: frozenset[str] = frozenset()) -> m.Outputs:
    params: list[m.Parameter] = []
    arts: list[m.Artifact | m.ArtifactRef] = []
    for p in module.outputs:
        path = f"{OUTPUTS_DIR}/{p.name}"
        if p.type.kind == "artifact":
            art: m.Artifact = {"name": p.name, "path": path}
            if p.name in artifact_keys:
                # read by URI (``.uri``, operator jobs): stored at exactly that place, as the step wrote it,
                # not as a tarball (SPEC §1.9; Argo archives with tar+gzip unless ``archive: none``)
                art.update(cast(m.Artifact, artifact_keys[p.name]))
                art["archive"] = {"none": {}}
            arts.append(art)
        else:
            params.append({"name": p.name, "valueFrom": {"path": path}})
    for p in module.outputs:
        if p.name in identities:
            # python steps write the content digest there; other images fall back to the run's uid, so a
            # cached step downstream never serves an old result for new data (the executor uses
            # ``default`` when the file is missing: argo-workflows v4.1.2 ``workflow/executor/executor.go``
            # SaveParameters, l. 738)
            params.append(
                {
                    "name": identity_param(p.name),
                    "valueFrom": {"path": f"{OUTPUTS_DIR}/{ID_DIR}/{p.name}", "default": "{{workflow.uid}}"},
                }
            )
    for p in module.outputs:
        loc = artifact_keys.get(p.name, {}).get("s3")
        if loc is not None:
            # where this run stored the artifact, as a parameter: a cache hit returns the producing run's
            # parameters (workflow/controller/cache), so `.uri` names where the file really is, not this run's
            # key, where nothing was written. No step writes the file: Argo takes the default (executor.go l. 738)
            params.append(
                {
                    "name": uri_param(p.name),
                    "valueFrom": {
                        "path": f"{OUTPUTS_DIR}/{ID_DIR}/uri-{p.name}",
                        "default": f"s3://{loc['bucket']}/{loc['key']}",
                    },
                }
            )
    return cast(m.Outputs, parameters_and_artifacts(params, arts))


def contract_env(module: ir.Module, *, by_uri: bool = False) -> list[m.EnvVar]:
    """``MLDSL_INPUT_<NAME>`` for every input (an artifact's local path, or its URI for operator jobs)."""
    env: list[m.EnvVar] = []
    for p in module.inputs:
        if p.type.kind == "artifact" and not by_uri:
            env.append({"name": env_name(p.name), "value": f"{INPUTS_DIR}/{p.name}"})
        elif p.type.kind == "secret":
            env.append({"name": env_name(p.name), "valueFrom": {"secretKeyRef": _secret_ref(p)}})
        else:
            env.append({"name": env_name(p.name), "value": "{{inputs.parameters.%s}}" % p.name})
    return env


def merged_resources(module: ir.Module, step: ir.Step | None) -> ir.Resources:
    base = module.resources
    over = step.resources if step is not None else None
    if over is None:
        return base
    return ir.Resources(cpu=over.cpu or base.cpu, memory=over.memory or base.memory, gpu=over.gpu if over.gpu else base.gpu)


def script_source(source: str) -> str:
    """A script's source as Argo will run it: verbatim, unless it holds ``{{``.

    Argo substitutes tags in a template's text more than once (``workflow/common/util.go``
    SubstituteParams, l. 273-325, then again at pod creation), so no escape of ``{{`` survives
    every pass. Code that holds ``{{`` (an f-string, a Jinja template) travels base64-encoded and
    is decoded by a two-line bootstrap: the step runs exactly the code that was written.
    """
    if "{{" not in source:
        return source
    import base64

    encoded = base64.b64encode(source.encode("utf-8")).decode("ascii")
    return (
        "# mldsl: the module's code holds two opening braces, a template tag to Argo: it travels base64-encoded\n"
        f"import base64 as _b; exec(compile(_b.b64decode({encoded!r}).decode('utf-8'), '<module>', 'exec'))\n"
    )


PACKAGES_PRELUDE = (
    "# mldsl: the module's packages, installed only where the image lacks them (an image built from modules/Dockerfile\n"
    "# has them: no pip, no internet at step start); `mldsl run` checks this environment instead of installing\n"
    "import importlib.metadata as _mldsl_md, os as _mldsl_o, re as _mldsl_re, subprocess as _mldsl_sp, sys as _mldsl_sys\n"
    "_mldsl_missing = []\n"
    "for _mldsl_p in {packages}:\n"
    "    try:\n"
    "        _mldsl_md.version(_mldsl_re.match(r'[A-Za-z0-9_.-]+', _mldsl_p).group(0))\n"
    "    except _mldsl_md.PackageNotFoundError:\n"
    "        _mldsl_missing.append(_mldsl_p)\n"
    "if _mldsl_missing and _mldsl_o.environ.get('MLDSL_LOCAL_RUN'):\n"
    "    raise SystemExit('mldsl run: this environment lacks ' + ', '.join(_mldsl_missing) + ': pip install them here')\n"
    "if _mldsl_missing:\n"
    "    _mldsl_sp.check_call([_mldsl_sys.executable, '-m', 'pip', 'install', '--quiet', '--no-cache-dir', *_mldsl_missing])\n"
)


def is_resource(module: ir.Module) -> bool:
    """Whether an operator runs the module's pods (Spark, training): Argo creates and watches a resource."""
    return isinstance(module.run, ir.ResourceRun)


def module_template(
    module: ir.Module,
    project: ir.Project,
    *,
    name: str,
    step: ir.Step | None = None,
    artifact_keys: dict[str, dict[str, Any]] | None = None,
    identities: frozenset[str] = frozenset(),
) -> m.Template:
    """The template that runs ``module``; ``step`` adds that step's own settings.

    ``identities`` names the artifact outputs whose identity a cached step downstream reads.
    """
    if isinstance(module.run, ir.DeployRun) or is_resource(module):
        raise ValueError(f"{module.name}: deploy and operator jobs' templates come from deploy.py, job_template.py (dispatch.py)")
    pod = k8s.effective_pod(module, step)
    meta = k8s.pod_metadata(pod)
    labels = {"mldsl.io/module": module.name, "mldsl.io/module-version": k8s.label_value(module.version)}
    tpl: m.Template = {"name": name, "metadata": {**meta, "labels": {**meta.get("labels", {}), **labels}}}
    if isinstance(module.run, ir.NotebookRun):  # run records and the UI link the executed notebook by it
        tpl["metadata"]["annotations"] = {**meta.get("annotations", {}), "mldsl.io/notebook": module.run.file}
    inputs = _inputs(module)
    if inputs:
        tpl["inputs"] = inputs
    outputs = _outputs(module, artifact_keys or {}, identities)
    if outputs:
        tpl["outputs"] = outputs
    run = module.run
    assert isinstance(run, (ir.ContainerRun, ir.PythonRun, ir.NotebookRun))  # operator jobs returned above
    resources = merged_resources(module, step)
    volumes, mounts = k8s.pod_volumes(pod)
    container = _container(module, run, step, resources, project, mounts)
    if isinstance(run, ir.ContainerRun):
        tpl["container"] = container
    else:
        tpl["script"] = container
    tpl["volumes"] = [{"name": OUTPUTS_VOLUME, "emptyDir": {}}, *volumes]
    if pod.service_account:  # the template's own, over the workflow's (argo: Template.serviceAccountName)
        tpl["serviceAccountName"] = pod.service_account
    node_selector, tolerations = k8s.scheduling(project, resources.gpu, step)
    if node_selector:
        tpl["nodeSelector"] = node_selector
    if tolerations:
        tpl["tolerations"] = tolerations
    return tpl


def _container(
    module: ir.Module,
    run: ir.ContainerRun | ir.PythonRun | ir.NotebookRun,
    step: ir.Step | None,
    resources: ir.Resources,
    project: ir.Project,
    mounts: list[Any],
) -> m.Container:
    """The module's container (a ``script`` for Python and notebooks): image, command, env, resources, mounts."""
    env = contract_env(module)
    env.extend(env_entry(k, v, _IN_TEMPLATE, module) for k, v in run.env)
    if step is not None:
        env.extend(env_entry(k, v, STEP_ENV) for k, v in step.env)
    container: m.Container
    if isinstance(run, ir.ContainerRun):
        container = {"image": _image(run)}
        if run.command:
            container["command"] = [_IN_TEMPLATE.text(c) for c in run.command]
        if run.args:
            container["args"] = [_IN_TEMPLATE.text(a) for a in run.args]
    else:
        source = run.source
        if run.packages:
            source = PACKAGES_PRELUDE.format(packages=json.dumps(list(run.packages))) + source
        container = {"image": _image(run), "command": ["python"], "source": script_source(source)}
    if env:
        container["env"] = env
    if isinstance(run, ir.ContainerRun) and run.working_dir:
        container["workingDir"] = escape_text(run.working_dir)
    res = cast(m.Resources, k8s.resources(resources, project.gpu.resource, _IN_TEMPLATE.text))
    if res:
        container["resources"] = res
    container["volumeMounts"] = [{"name": OUTPUTS_VOLUME, "mountPath": OUTPUTS_DIR}, *mounts]
    return container


#: step env is evaluated inside the template: only literals and secrets reach it
STEP_ENV = _IN_TEMPLATE


def uri_param(artifact: str) -> str:
    """The output parameter that carries where a step stored an artifact read by URI."""
    return f"mldsl-uri-{artifact}"


def identity_param(artifact: str) -> str:
    """The parameter that carries an artifact's identity (its content digest, or its URI and run)."""
    return f"mldsl-id-{artifact}"


def _image(run: ir.ContainerRun | ir.PythonRun | ir.NotebookRun) -> str:
    """The template's image: fixed text, or with ``{{inputs.parameters.tag}}`` parts, which Argo substitutes in a
    template's image as in its args (``workflow/common/util.go`` SubstituteParams: the whole template's JSON);
    a notebook's image is fixed text."""
    value = None if isinstance(run, ir.NotebookRun) else run.image_value
    return _IN_TEMPLATE.text(value) if value is not None else escape_text(run.image)
