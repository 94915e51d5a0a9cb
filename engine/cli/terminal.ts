// Text from a task shown on a terminal: its control sequences (ESC]0;title, ESC[2J clear
// screen, a bell) are shown as visible text, not obeyed — a task's output must not
// rewrite the user's terminal. Newlines and tabs stay.
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, (c) =>
    c === "\u001b" ? "␛" : c === "\r" ? "␍" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
