// A step's or a param's new name, checked as it is typed (issue #30 m5: the feedback came only on blur, and stayed
// after the name was typed back): said under the box at once, cleared once the name is fine or back as it was.

// mldsl/lang/models/checks.py IDENTIFIER: step and param names are identifiers
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Why `to` cannot be the new name of the `kind` named `from` ("" when it can, or when it is unchanged).
export function nameProblem(kind, to, from, taken) {
  if (to === from) return "";
  if (!to) return "a " + kind + " needs a name";
  if (!IDENTIFIER.test(to)) return JSON.stringify(to) + " is not a name: letters, digits and _, not starting with a digit";
  if (taken.includes(to)) return "there is already a " + kind + " named " + to;
  return "";
}

// The name box `input` of the `kind` named `from`: its problem shown in `out` as it is typed; `rename(to)` on change
// (Enter or leaving the box) when the new name is fine. A name with a problem is left as typed, with its message.
export function checkedName(input, out, kind, from, taken, rename) {
  const problem = () => nameProblem(kind, input.value.trim(), from, taken());
  const show = text => {
    out.textContent = text;
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  };
  input.setAttribute("aria-describedby", out.id);
  input.addEventListener("input", () => show(problem()));
  input.addEventListener("change", () => {
    const text = problem();
    show(text);
    const to = input.value.trim();
    if (!text && to !== from) rename(to);
  });
}
