/**
 * @module engine/remote/sse-data-reader
 * Splits a server-sent-events byte stream into its `data` payloads, whatever
 * the network's chunking: events and lines may arrive in pieces, and a UTF-8
 * character may be split between reads. Comments and other fields are
 * skipped; an event with several `data` lines joins them with `\n`. Pure.
 */

/** Incremental SSE reader: push bytes, get the `data` payloads of completed events. */
export class SseDataReader {
  readonly #decoder = new TextDecoder("utf-8");
  #buffer = "";
  #data: string[] = [];
  #hasData = false;

  /** Adds bytes; returns the payloads of the events they completed. */
  push(bytes: Uint8Array): string[] {
    return this.#consume(this.#decoder.decode(bytes, { stream: true }));
  }

  /** The stream ended: returns the payload of a last event not closed by a blank line. */
  finish(): string[] {
    const payloads = this.#consume(`${this.#decoder.decode()}\n\n`);
    this.#buffer = "";
    return payloads;
  }

  /** Characters received but not yet part of a finished line (to bound memory). */
  get pendingLength(): number {
    return this.#buffer.length;
  }

  #consume(text: string): string[] {
    this.#buffer += text;
    const payloads: string[] = [];
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (this.#buffer[end] === "\r" && end === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith("\r\n", end) ? 2 : 1));
      if (line.length === 0) {
        if (this.#hasData) payloads.push(this.#data.join("\n"));
        this.#data = [];
        this.#hasData = false;
      } else if (line.startsWith("data:")) {
        this.#data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
        this.#hasData = true;
      }
      // Comments (":…"), event:, id: and retry: lines carry nothing we use.
    }
    return payloads;
  }
}
