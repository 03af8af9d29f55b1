// The compiler's hints rephrased for the form (pure: Node runs them in the tests).

// The compiler's hints speak YAML; the composer's user sees fields (U13). Each rule rewrites one phrasing.
export const FORM_HINTS = [
  [/add it under '?with:'?/gi, "set it in the step's card (choose a value, an expression or a wire)"],
  [/under '?with:'?/gi, "in the step's card"],
  [/quote (?:the|it|this) value[^;.]*/gi, "the composer writes text as text: type it as it should read"],
  [/\(quote it in YAML[^)]*\)/gi, ""],
  [/in (?:the )?YAML/gi, "here"],
  [/add '?(\w+):'? under metadata/gi, "fill in $1 at the top"],
  [/under '?params:'?/gi, "in Params"],
];
export function formHint(hint) { return FORM_HINTS.reduce((h, [re, to]) => h.replace(re, to), hint).trim(); }
export function diagText(d) { return d.message + " [" + d.code + "]" + (d.hint ? " — " + formHint(d.hint) : ""); }
