const blockSize = 512;

/**
 * The audio inside `stream`: the stream itself, or, when it is a tar archive, the first regular file
 * named `*.mp3` or `*.wav` in it. Streams without buffering more than a tar block.
 *
 * VENDORS.md §5.5 leaves UNKNOWN what the file of an async T2A task holds; public client code unpacks a
 * tar (audio plus subtitle/metadata files), the emulator serves the bare audio. Both are accepted.
 */
export function unwrapTarAudio(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const input = new ChunkReader(stream.getReader());
  let chunks: AsyncGenerator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        chunks ??= audioChunks(input);
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        await input.cancel(error).catch(() => {});
        controller.error(error);
      }
    },
    async cancel(reason) {
      await input.cancel(reason);
    },
  });
}

async function* audioChunks(input: ChunkReader): AsyncGenerator<Uint8Array> {
  const head = await input.peek(blockSize);
  if (!isTarHeader(head)) {
    yield* input.rest();
    return;
  }
  for (;;) {
    const header = await input.take(blockSize);
    if (header.length < blockSize || header.every((byte) => byte === 0)) {
      throw new Error('the audio file MiniMax returned is a tar archive without an mp3 or wav file in it');
    }
    const name = entryName(header);
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const padded = Math.ceil(size / blockSize) * blockSize;
    if ((type === '0' || type === '\0') && /\.(mp3|wav)$/i.test(name)) {
      yield* input.chunks(size);
      await input.cancel();
      return;
    }
    await input.skip(padded);
  }
}

function isTarHeader(block: Uint8Array): boolean {
  if (block.length < blockSize) return false;
  // "ustar" at 257 (POSIX and GNU); the header checksum then proves it is not audio that happens to match.
  if (String.fromCharCode(...block.subarray(257, 262)) !== 'ustar') return false;
  const recorded = octal(block.subarray(148, 156));
  let sum = 0;
  for (let index = 0; index < blockSize; index++) sum += index >= 148 && index < 156 ? 32 : block[index]!;
  return sum === recorded;
}

function entryName(header: Uint8Array): string {
  const text = (bytes: Uint8Array) => {
    const end = bytes.indexOf(0);
    return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
  };
  const prefix = text(header.subarray(345, 500));
  const name = text(header.subarray(0, 100));
  return prefix ? `${prefix}/${name}` : name;
}

function octal(bytes: Uint8Array): number {
  const text = new TextDecoder().decode(bytes).replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** Reads a byte stream in pieces of the sizes asked for. */
class ChunkReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffered: Uint8Array = new Uint8Array(0);
  #ended = false;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  /** The next `size` bytes without consuming them (fewer at the end of the stream). */
  async peek(size: number): Promise<Uint8Array> {
    while (this.#buffered.length < size && !this.#ended) await this.#readMore();
    return this.#buffered.subarray(0, size);
  }

  /** Consumes and returns the next `size` bytes (fewer at the end of the stream). */
  async take(size: number): Promise<Uint8Array> {
    const bytes = (await this.peek(size)).slice();
    this.#buffered = this.#buffered.subarray(bytes.length);
    return bytes;
  }

  async skip(size: number): Promise<void> {
    for await (const _chunk of this.chunks(size));
  }

  /** The next `size` bytes, in the pieces they arrive in; fails if the stream ends first. */
  async *chunks(size: number): AsyncGenerator<Uint8Array> {
    let remaining = size;
    while (remaining > 0) {
      if (this.#buffered.length === 0) {
        if (this.#ended) throw new Error('the tar archive MiniMax returned is truncated');
        await this.#readMore();
        continue;
      }
      const piece = this.#buffered.subarray(0, remaining);
      this.#buffered = this.#buffered.subarray(piece.length);
      remaining -= piece.length;
      yield piece;
    }
  }

  /** Everything left, as it arrives. */
  async *rest(): AsyncGenerator<Uint8Array> {
    if (this.#buffered.length > 0) yield this.#buffered;
    this.#buffered = new Uint8Array(0);
    for (;;) {
      const { done, value } = await this.#reader.read();
      if (done) return;
      yield value;
    }
  }

  async cancel(reason?: unknown): Promise<void> {
    this.#ended = true;
    await this.#reader.cancel(reason);
  }

  async #readMore(): Promise<void> {
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#ended = true;
      return;
    }
    const joined = new Uint8Array(this.#buffered.length + value.length);
    joined.set(this.#buffered);
    joined.set(value, this.#buffered.length);
    this.#buffered = joined;
  }
}
