"""The catalog of diagnostic codes: one stable code per class of error.

``docs/errors.md`` is generated from this table and from the invalid-document
corpus under ``tests/invalid`` (one failing example per code) by ``tools/errors_doc.py``,
which runs the compiler, so it lives outside the language core::

    python tools/errors_doc.py tests/invalid > docs/errors.md
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    fix: str


CODES: tuple[Code, ...] = (
    # --- reading files -------------------------------------------------------
    Code("MLD001", "File cannot be read", "Check the path; files must be UTF-8 text; folders must hold *.yaml or *.yml files."),
    Code("MLD002", "Invalid YAML", "Fix the syntax at the position shown: indentation (spaces only), quotes, brackets."),
    Code("MLD003", "Duplicate key", "Remove one of the two keys; YAML would silently keep only the last."),
    Code("MLD004", "Unsupported YAML tag or merge key", "Use plain values; `!!python/...` tags and `<<` merge keys are refused."),
    Code(
        "MLD005",
        "Document too large or recursive",
        'Remove recursive anchors or alias chains that multiply the document ("billion laughs").',
    ),
    Code("MLD006", "Not a mapping", "A document is a mapping with apiVersion, kind, metadata and spec; keys are plain scalars."),
    Code(
        "MLD007",
        "Value cannot be read as its type",
        "A `!!int`, `!!float` or `!!bool` tag needs a value of that type; quote numbers too long to be numbers.",
    ),
    Code("MLD010", "File is not formatted (fmt --check)", "Run `mldsl fmt` on the file."),
    Code(
        "MLD011",
        "fmt cannot keep the file exactly",
        "The formatter reads YAML 1.2 and refuses a few spellings mldsl accepts (a tab after `:`, a tag on an empty "
        "document), and never writes a result that mldsl would read differently or that a second fmt would change; "
        "write that spot plainly. The file is left as it is.",
    ),
    # --- documents -----------------------------------------------------------
    Code("MLD100", "Missing or unsupported apiVersion", "Write `apiVersion: mldsl/v1`."),
    Code("MLD101", "Unknown kind", "Use one of Project, Module, Pipeline."),
    Code("MLD102", "Unknown field", "Fix the spelling (the hint suggests the closest field) or remove the field."),
    Code("MLD103", "Missing required field", "Add the field; a Module also needs metadata.version."),
    Code("MLD104", "Wrong value type", "Give a value of the expected type; quote strings that look like numbers or booleans."),
    Code(
        "MLD105",
        "Invalid name",
        "Document names are DNS-1123 labels (`churn-train`); input, output, param and step names are identifiers (`max_depth`).",
    ),
    Code("MLD106", "Invalid version", "Versions are semantic versions MAJOR.MINOR.PATCH, quoted if YAML would read a number."),
    Code("MLD107", "Invalid value", "Use one of the allowed values shown in the message."),
    Code("MLD108", "Duplicate pipeline", "Two Pipeline documents have the same name; rename one."),
    Code(
        "MLD110",
        "Invalid Kubernetes label or annotation",
        "Label keys are `[prefix/]name`, values at most 63 characters of letters, digits, `-_.`; free text goes in annotations.",
    ),
    Code("MLD109", "More than one Project", "Keep one Project document (mldsl.yaml) per project."),
    # --- types ---------------------------------------------------------------
    Code("MLD200", "Invalid type syntax", "Write str, int, float, bool, enum, artifact, secret, list[T] or dict[str, T]."),
    Code("MLD201", "Unknown type", "Use a type name from the list; the hint suggests the closest."),
    Code(
        "MLD202",
        "Constraint does not apply to the type",
        "min/max go with int and float, pattern with str, lengths with str/list/dict, values with enum, format with artifact.",
    ),
    Code("MLD203", "Invalid enum", "Give an enum `values:` with unique entries."),
    Code("MLD204", "Default does not satisfy the declaration", "Change the default, or the constraint it breaks."),
    Code("MLD205", "Invalid regular expression", "Fix the `pattern`."),
    Code("MLD206", "Empty range", "Make min <= max (and min_length <= max_length)."),
    Code(
        "MLD207",
        "Pattern not portable",
        "Use regex syntax Python and JavaScript read alike (forms check patterns in the browser): no (?P<..>), lookbehind, inline flags, \\A/\\Z.",
    ),
    # --- expressions ---------------------------------------------------------
    Code("MLD300", "Invalid expression", "Fix the `${{ }}` expression at the column shown."),
    Code("MLD301", "Unknown reference", "Refer to a declared param, step, output or input; the hint lists what exists."),
    Code(
        "MLD302",
        "Reference not available here",
        "Each place allows some references only: `item` in for_each steps, `workflow.status` in on_exit, `inputs` inside modules.",
    ),
    Code(
        "MLD303",
        "Type mismatch",
        "Bind a value of the input's type; only int converts to float implicitly; convert with int(), float(), str().",
    ),
    Code(
        "MLD304",
        "Operator or function applied to the wrong types",
        "Compare numbers with numbers and strings with strings; convert first.",
    ),
    Code(
        "MLD305",
        "Unknown function or wrong number of arguments",
        "Functions are len, str, int, float, lower, upper, join, default and secret.",
    ),
    Code("MLD306", "`when` is not a boolean expression", "Write one `${{ }}` expression that is true or false."),
    Code("MLD307", "`for_each` is not a list", "Give a list, or an expression whose type is a list."),
    Code(
        "MLD308", "Value outside the declared constraints", "Respect min/max, pattern, lengths, enum values, and artifact URIs."
    ),
    Code(
        "MLD309",
        "Artifact formats disagree",
        "Wire an output whose format matches the input's (or declare no format on one side).",
    ),
    Code("MLD310", "Artifact output of a fan-out step", "Fan-out steps pass on parameter outputs only (as lists)."),
    Code("MLD311", "Unterminated expression", "Close `${{` with `}}`."),
    Code(
        "MLD312",
        "Text that is only whitespace",
        "A required string needs text; if blanks are meant, declare a `pattern` that allows them (e.g. '^\\s+$').",
    ),
    Code(
        "MLD313",
        "Invalid bucket name",
        "S3, GCS, OSS and Azure name buckets in lowercase ASCII letters, digits, '-' (and '.'), 3 to 63 characters.",
    ),
    # --- pipelines -----------------------------------------------------------
    Code(
        "MLD400",
        "Module not found",
        "Give the module's file on the command line, or add its folder to `module_paths` in mldsl.yaml.",
    ),
    Code("MLD401", "No module version matches", "Widen the version range; the hint lists the versions that exist."),
    Code("MLD402", "Invalid version range", "Use 1.2.0, 1, 1.2, ^1.2, ~1.4 or >=2,<3."),
    Code("MLD403", "Required input not bound", "Add the input under the step's `with:`."),
    Code("MLD404", "Unknown input", "Bind only inputs the module declares."),
    Code("MLD405", "Dependency cycle", "Remove one of the dependencies that close the cycle."),
    Code("MLD406", "`after` names an unknown step", "Name a step of the same pipeline."),
    Code("MLD407", "Step needs exactly one of `uses`, `deploy` and `approve`", "Give one of them; split two into two steps."),
    Code(
        "MLD408",
        "`deploy` names an unknown Serving",
        "Give the Serving document's file on the command line (the hint suggests the closest name).",
    ),
    Code(
        "MLD409",
        "Step name cannot become a task name",
        "Rename the step: letters, digits and `_`, starting and ending with a letter or digit.",
    ),
    Code("MLD410", "Module version defined twice", "Bump one of the two versions, or remove the copy."),
    Code(
        "MLD411",
        "Module file not found",
        "`uses: ./path.yaml` is relative to the pipeline's file and names a file with one Module.",
    ),
    Code("MLD412", "Invalid duration", "Write durations like 30s, 15m, 2h, 7d or 1h30m."),
    Code(
        "MLD413",
        "Invalid schedule",
        "Use a cron expression Argo accepts: five fields within their ranges (minute 0-59, hour 0-23, day of month "
        "1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat) or a descriptor such as @daily; and an IANA time zone.",
    ),
    Code("MLD415", "Scheduled pipeline param without a default", "Give every param a default: scheduled runs use the defaults."),
    Code("MLD416", "Retry backoff factor is not a whole number", "Argo parses the factor as an integer: use 2, 3, ..."),
    Code(
        "MLD423",
        "Step timeout on a Spark job before 3.0",
        "A SparkApplication has no deadline: the timeout goes on its pod templates, which Spark reads from 3.0.0 on.",
    ),
    Code("MLD418", "Pipeline without steps", "Add at least one step: Argo refuses a DAG without tasks."),
    Code("MLD420", "`on_exit` needs one form", "Give `uses` (and `with`) for one module, or `steps:` for several."),
    Code(
        "MLD421",
        "Invalid `weight` or `promote`",
        "They apply to deploy steps of seldon-v1 and kserve Servings with at most a stable and a canary model; give one.",
    ),
    Code(
        "MLD422",
        "Unknown pipeline",
        "A `pipeline:` step names a Pipeline in the files given or in the project (the folder holding mldsl.yaml); "
        "check the name, or give its file on the command line.",
    ),
    Code(
        "MLD419",
        "Invalid volume, service account or pod label",
        "A volume has one of pvc/memory/size and an absolute path outside /mldsl; names and labels follow Kubernetes.",
    ),
    Code(
        "MLD417",
        "Field does not apply to an `approve` step",
        "An approval runs no pod: give `message` and `timeout` under `approve:`, order it with `after:`.",
    ),
    # --- secrets -------------------------------------------------------------
    Code(
        "MLD500",
        "Literal value for a secret",
        "Bind secret inputs with `${{ secret('name', 'key') }}`; secrets have no defaults.",
    ),
    Code(
        "MLD501",
        "Credential in plain text",
        "Keys that look like credentials (password, token, api_key...) take secret() references, not literals.",
    ),
    Code(
        "MLD502",
        "Misused secret()",
        "secret() takes two quoted strings and may only bind secret inputs or env values, never args.",
    ),
    Code(
        "MLD503",
        "Secret input used in args or text",
        'Map it whole to an env var of any name (`env: {DB_PASSWORD: "${{ inputs.db_password }}"}`), or read MLDSL_INPUT_<NAME>.',
    ),
    # --- modules -------------------------------------------------------------
    Code("MLD600", "`run` needs exactly one kind", "Give exactly one of container, python, spark, distributed and notebook."),
    Code("MLD601", "Python run needs one source", "Give exactly one of `source` and `file`."),
    Code("MLD602", "Module code file not found", "`file` (a python file or a notebook) is relative to the module's file."),
    Code(
        "MLD603",
        "Expression in a field that takes plain text",
        "`${{ }}` works in `args`, `env` and `command`, and a container or python module's `image` may hold its str, int "
        "or enum inputs (`${{ inputs.tag }}`); working folders, packages, Spark's and training jobs' images and "
        "Spark's `main` are fixed text.",
    ),
    Code(
        "MLD604",
        "Expression inside a shell script",
        'A `sh -c` (bash, zsh...) script would run a value as code: pass it through `env` (`env: {MSG: "${{ inputs.msg }}"}`) '
        'and read `"$MSG"` in the script.',
    ),
    Code(
        "MLD605",
        "Artifact used as a value",
        "Use `inputs.<name>.path` / `outputs.<name>.path`; `.path` applies to artifacts only.",
    ),
    Code(
        "MLD607",
        "Spark or distributed step without object-store artifacts",
        "These steps read and write artifacts by URI: set `artifacts.bucket` in mldsl.yaml, and bind URIs or step outputs.",
    ),
    Code(
        "MLD608",
        "Invalid image reference",
        "An image is `[registry[:port]/]path[:tag][@digest]` with a lowercase path (the registry client's grammar); "
        "with `${{ inputs.tag }}` parts, also checked where a step binds them to known values.",
    ),
    Code(
        "MLD610",
        "Notebook output `executed` redeclared",
        "Every notebook step has the artifact output `executed` (the notebook as it ran): give your output another name.",
    ),
    Code(
        "MLD611",
        "Notebook without a `parameters` cell",
        "Tag the cell that sets the defaults `parameters`: papermill injects the step's inputs after it.",
    ),
    Code(
        "MLD612",
        "Module input missing from the notebook's `parameters` cell",
        "Assign each declared input a default in the `parameters` cell, so that the notebook also runs alone.",
    ),
    Code(
        "MLD613",
        "Not a Jupyter notebook",
        "The file must be nbformat 4 JSON (as Jupyter saves it), and its `parameters` cell Python.",
    ),
    Code(
        "MLD614",
        "Notebook parameter of another type than the input (warning)",
        "Make the `parameters` cell's default a value of the input's declared type.",
    ),
    # --- sweeps ----------------------------------------------------------------
    Code(
        "MLD700",
        "Search dimension needs exactly one distribution",
        "Give one of values, range, uniform, loguniform, int_uniform, normal.",
    ),
    Code("MLD701", "Sweep of an unknown pipeline", "Name a pipeline given on the command line (the hint suggests the closest)."),
    Code(
        "MLD702",
        "Sweep param the pipeline does not have",
        "Search over (or fix) the pipeline's own params; a param is searched or fixed, not both.",
    ),
    Code(
        "MLD703",
        "Search space does not fit the param",
        "Values and bounds must satisfy the param's type and constraints; ints take int_uniform or range.",
    ),
    Code(
        "MLD704",
        "Grid over a continuous distribution",
        "A grid enumerates values or ranges; use strategy: random for uniform/loguniform/normal.",
    ),
    Code("MLD705", "Empty search space", "Give at least one param, non-empty values, and ranges whose low does not exceed high."),
    Code(
        "MLD706",
        "Objective is not a numeric step output",
        "Write steps.<step>.outputs.<name> for a numeric parameter output of one (non fan-out, non operator) step.",
    ),
    Code("MLD707", "max_trials missing", "Random, Bayesian, TPE and Hyperband searches need max_trials."),
    Code("MLD708", "Pipeline param without a value in the sweep", "Add it to fixed, or search over it."),
    Code("MLD709", "Distribution not supported by the strategy", "normal is for random search only."),
    Code(
        "MLD710",
        "Hyperband budget",
        "Hyperband needs `budget:` naming a searched int param (e.g. epochs), and Katib runs eta^floor(log_eta(max budget)) "
        "trials at once: parallelism must allow it; other strategies take no budget.",
    ),
    Code(
        "MLD711",
        "A step has the name of the task that reports a Katib objective",
        "Katib reads the objective from a task `<step>-objective` after the objective step: rename the step that has that name.",
    ),
    Code(
        "MLD712",
        "Sweep over a pipeline with an `approve:` step",
        "Every trial would wait for a person: leave the approval out with `skip_steps: [approve_step]`.",
    ),
    Code(
        "MLD713",
        "Sweep trials would deploy",
        "Every trial would apply the live Serving: leave the deploy step out with `skip_steps: [deploy]`.",
    ),
    Code("MLD714", "Unknown step in `skip_steps`", "Name steps of the swept pipeline."),
    # --- serving ---------------------------------------------------------------
    Code("MLD800", "Traffic weights do not add up to 100", "Make the weights of the traffic entries sum to 100."),
    Code("MLD801", "Duplicate traffic name", "Give every traffic entry its own name."),
    Code("MLD802", "Custom server image", "A custom server needs `image:` (the serving container); other servers take none."),
    Code(
        "MLD803",
        "Server kind the backend cannot run",
        "Choose a server the backend supports (seldon-v1 has no lightgbm), or server: custom.",
    ),
    Code("MLD804", "Model URI is not a URI", "Write a URI: s3://..., gs://..., https://..., pvc://claim/path."),
    Code(
        "MLD805",
        "KServe cannot express this traffic",
        "KServe splits between two revisions of one server and has no shadow: use Seldon for more.",
    ),
    Code(
        "MLD806",
        "The serving backend cannot honour this setting",
        "Seldon Core v2 gives GPUs to Servers, not Models: use seldon-v1 or kserve for a GPU model.",
    ),
    Code(
        "MLD807",
        "Storage credentials the backend cannot take",
        "KServe: give the model a service_account; Seldon v2: credentials: {secret: NAME}; Seldon v1 takes either.",
    ),
    # --- output checks -------------------------------------------------------
    Code("MLD900", "Manifest refused by a CRD schema", "A bug in mldsl or a CRD version mismatch: report it with the message."),
    Code("MLD901", "No CRD for a manifest's kind (warning)", "Add the CRD file to the folder given to --crds."),
)

BY_CODE = {c.code: c for c in CODES}
