const compiled = new Map<string, RegExp>();

/**
 * Whether `pattern` selects `address`. Addresses are `voice.<name>` and `<script>/<id>`; `*` matches
 * any run of characters within one segment, and a bare script name selects all of its lines.
 */
export function matchesAddress(pattern: string, address: string): boolean {
  if (pattern === address) return true;
  let regex = compiled.get(pattern);
  if (!regex) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*');
    const isScript = !pattern.includes('/') && !pattern.startsWith('voice.');
    regex = new RegExp(`^${body}${isScript ? '/[^/]+' : ''}$`);
    compiled.set(pattern, regex);
  }
  return regex.test(address);
}
