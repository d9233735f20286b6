/**
 * Finds where zstd frames end in a byte stream without decoding it, so a stream of several
 * concatenated frames can be fed to node:zlib's zstd decoder one frame at a time.
 *
 * Why: `createZstdDecompress` (Node 24) stops at the end of a frame when the same write carries
 * the start of the next one and its output buffer still has room, and then quietly ends its
 * output (nodejs/node#64741). Fed writes that never cross a frame boundary, it decodes frame after
 * frame.
 *
 * The scanner follows the frame layout of RFC 8878 (frame header, blocks with 3-byte headers, an
 * optional 4-byte checksum; skippable frames by their size field). It never fails: at bytes it
 * cannot follow (no frame magic, a reserved block type) it stops cutting and passes the rest on
 * whole, and the decoder — which reads the same headers the same way — reports the damage.
 */
export class ZstdFrameSplitter {
  #state: State = { kind: 'field', field: 'magic', length: 4 };
  readonly #field = Buffer.alloc(4);
  #fieldFilled = 0;
  /** Whether the frame being read ends with a content checksum. */
  #checksum = false;

  /** `chunk` cut into pieces so that each frame end is the end of a piece. */
  split(chunk: Buffer): Buffer[] {
    const pieces: Buffer[] = [];
    let start = 0;
    let at = 0;
    while (at < chunk.length && this.#state.kind !== 'opaque') {
      const state = this.#state;
      if (state.kind === 'skip') {
        const skipped = Math.min(state.remaining, chunk.length - at);
        at += skipped;
        state.remaining -= skipped;
        if (state.remaining === 0) this.#state = state.then;
      } else if (state.kind === 'field') {
        this.#field[this.#fieldFilled++] = chunk[at++]!;
        if (this.#fieldFilled === state.length) {
          this.#fieldFilled = 0;
          this.#state = this.#next(state.field, this.#field.subarray(0, state.length));
        }
      }
      if (this.#state.kind === 'frameEnd') {
        pieces.push(chunk.subarray(start, at));
        start = at;
        this.#state = { kind: 'field', field: 'magic', length: 4 };
      }
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
    return pieces;
  }

  /** The state after a complete header field. */
  #next(field: Field, bytes: Buffer): State {
    switch (field) {
      case 'magic': {
        const magic = bytes.readUInt32LE(0);
        if (magic === ZSTD_MAGIC) return { kind: 'field', field: 'descriptor', length: 1 };
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) return { kind: 'field', field: 'skippableSize', length: 4 };
        return { kind: 'opaque' };
      }
      case 'skippableSize':
        return skip(bytes.readUInt32LE(0), { kind: 'frameEnd' });
      case 'descriptor': {
        const descriptor = bytes[0]!;
        const contentSizeFlag = descriptor >> 6;
        const singleSegment = (descriptor >> 5) & 1;
        this.#checksum = ((descriptor >> 2) & 1) === 1;
        const windowDescriptor = singleSegment ? 0 : 1;
        const dictionaryId = DICTIONARY_ID_BYTES[descriptor & 3]!;
        const contentSize = contentSizeFlag === 0 ? singleSegment : CONTENT_SIZE_BYTES[contentSizeFlag]!;
        return skip(windowDescriptor + dictionaryId + contentSize, BLOCK_HEADER);
      }
      case 'blockHeader': {
        const header = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16);
        const last = (header & 1) === 1;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === RESERVED_BLOCK) return { kind: 'opaque' };
        const afterBlock: State = !last ? BLOCK_HEADER : this.#checksum ? skip(4, { kind: 'frameEnd' }) : { kind: 'frameEnd' };
        return skip(type === RLE_BLOCK ? 1 : size, afterBlock);
      }
    }
  }
}

type Field = 'magic' | 'skippableSize' | 'descriptor' | 'blockHeader';
type State =
  | { kind: 'field'; field: Field; length: number }
  | { kind: 'skip'; remaining: number; then: State }
  | { kind: 'frameEnd' }
  | { kind: 'opaque' };

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MASK = 0xfffffff0;
const RLE_BLOCK = 1;
const RESERVED_BLOCK = 3;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4] as const;
const CONTENT_SIZE_BYTES = [0, 2, 4, 8] as const;
const BLOCK_HEADER: State = { kind: 'field', field: 'blockHeader', length: 3 };

function skip(bytes: number, then: State): State {
  return bytes === 0 ? then : { kind: 'skip', remaining: bytes, then };
}
