// What an edit did, said where the user is (issue #30 M6): a bar fixed at the bottom of the screen, not a line
// above the steps 2,880 px away from the canvas. It holds one message (and its Undo) until the next one.
import { $ } from "./state.js";

let clearing = null;

// Says `text` (with optional buttons after it); a plain message goes away by itself after a while.
export function feedback(text, ...buttons) {
  const bar = $("undo-bar");
  clearTimeout(clearing);
  bar.textContent = "";
  if (!text) return;
  const dismiss = el("button", { type: "button", class: "dismiss", text: "×", "aria-label": "dismiss this message" });
  dismiss.addEventListener("click", () => feedback(""));
  bar.append(el("span", { text }), ...buttons, dismiss);
  if (!buttons.length) clearing = setTimeout(() => { if (!bar.contains(document.activeElement)) feedback(""); }, 15000);
}
