import type { FormFieldValue } from './create-http-client.js';

const audioContentTypes: Record<string, string> = { mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav', ogg: 'audio/ogg', aac: 'audio/aac' };

/** Last path segment of a file path or URL. */
function baseNameOf(location: string): string {
  let path = location;
  if (/^https?:\/\//i.test(location)) {
    try {
      path = decodeURIComponent(new URL(location).pathname);
    } catch {
      path = '';
    }
  }
  return path.split(/[\\/]/).pop() ?? '';
}

/** The lower-case extension of a file path or URL, if it has one. */
export function extensionOf(location: string): string | undefined {
  return /\.([a-z0-9]+)$/i.exec(baseNameOf(location))?.[1]?.toLowerCase();
}

/**
 * A sample's bytes as a multipart file part: its own file name, given the format's extension when it
 * lacks it (vendors read the type from the name), and the matching content type.
 */
export function sampleFilePart(sample: { location: string; format?: string }, data: Uint8Array): FormFieldValue {
  const format = sample.format ?? extensionOf(sample.location);
  const name = baseNameOf(sample.location) || 'sample';
  const filename = !format || name.toLowerCase().endsWith(`.${format}`) ? name : `${name}.${format}`;
  const contentType = format ? audioContentTypes[format] : undefined;
  return { data, filename, ...(contentType ? { contentType } : {}) };
}
