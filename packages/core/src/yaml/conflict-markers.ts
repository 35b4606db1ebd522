/** A line git writes around the two sides of a merge conflict (`|||||||` with `merge.conflictStyle=diff3`). */
export interface ConflictMarker {
  /** 1-based line number. */
  line: number;
  marker: '<<<<<<<' | '|||||||' | '=======' | '>>>>>>>';
  /** What git wrote after the marker: the branch or commit of that side. */
  label: string;
}

const markerLine = /^(<{7}|\|{7}|={7}|>{7})(?:[ \t](.*))?$/;

/** Every conflict marker line in `text`, in order. */
export function findConflictMarkers(text: string): ConflictMarker[] {
  const markers: ConflictMarker[] = [];
  // Cheap first: most files have no marker at all.
  if (!/^(?:<{7}|\|{7}|={7}|>{7})/m.test(text)) return markers;
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const match = markerLine.exec(line);
    if (match) markers.push({ line: index + 1, marker: match[1] as ConflictMarker['marker'], label: (match[2] ?? '').trim() });
  }
  return markers;
}

/** `between HEAD and feature/x` from the markers' labels, or '' when git wrote none. */
export function conflictSides(markers: readonly ConflictMarker[]): string {
  const ours = markers.find((marker) => marker.marker === '<<<<<<<')?.label;
  const theirs = markers.find((marker) => marker.marker === '>>>>>>>')?.label;
  return ours && theirs ? ` between ${ours} and ${theirs}` : '';
}
