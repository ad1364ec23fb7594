/**
 * Text that reaches a header or a client as it is: what may never be in it.
 */

/**
 * Control characters refused in anything that becomes a header (subject, display names) or a text a client
 * reads: C0 and C1 controls (CR, LF, NUL, ESC ...), bidi overrides and isolates, zero-width characters, line
 * and paragraph separators. `allowNewlines` lets newline and tab through (bodies).
 */
export function unsafeCharacter(text: string, allowNewlines = false): string | undefined {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (allowNewlines && (ch === '\n' || ch === '\t' || ch === '\r')) continue;
    if (
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0xfeff
    )
      return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/**
 * The display name of the From header: the sender name with what could change the address or the header
 * removed (quotes, angle brackets, backslashes, @, commas, semicolons, controls), at most 64 characters.
 * The address itself is always the verified one, passed apart (a structured address, never a string to parse).
 */
export function safeDisplayName(name: string): string {
  return [...name]
    .filter((ch) => !unsafeCharacter(ch))
    .join('')
    .replace(/["<>\\@,;:()[\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 64)
    .trim();
}
