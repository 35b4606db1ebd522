// Control characters: C0 (tab and newline included), DEL, C1, and Unicode's line and paragraph separators.
const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * `text` safe to print in a terminal: on one line, without control characters. Vendors' messages end up
 * in voxform's errors, and a hostile or broken endpoint must not be able to move the cursor, recolour,
 * retitle the terminal (escape sequences) or forge lines of voxform's output.
 */
export function printable(text: string): string {
  return text.replace(controls, ' ').replace(/ {2,}/g, ' ').trim();
}
