"""The same N-step chain as ``compile_scale.py --shape chain``, built with Hera and written as YAML.

Run by ``compile_scale.py --hera`` in an environment of its own (Hera is a
dependency of this benchmark only, never of mldsl): one container template,
and a DAG whose every task takes the previous task's ``out`` parameter.

    python benchmarks/hera_chain.py N OUT.yaml
"""

from __future__ import annotations

import sys

from hera.workflows import DAG, Container, Parameter, Workflow


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    with Workflow(generate_name="scale-", entrypoint="main", arguments=[Parameter(name="seed", value="1")]) as w:
        step = Container(
            name="step",
            image="busybox:1.36",
            command=["sh", "-c"],
            args=["echo {{inputs.parameters.a}} > /tmp/out"],
            inputs=[Parameter(name="a", default="0")],
            outputs=[Parameter(name="out", value_from={"path": "/tmp/out"})],
        )
        with DAG(name="main"):
            previous = None
            for i in range(n):
                a = previous.get_parameter("out").value if previous is not None else "{{workflow.parameters.seed}}"
                task = step(name=f"s{i}", arguments={"a": a})
                if previous is not None:
                    previous >> task
                previous = task
    with open(out, "w", encoding="utf-8") as f:
        f.write(w.to_yaml())


if __name__ == "__main__":
    main()
