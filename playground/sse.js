// @ts-check
/**
 * @module playground/sse
 * Reads the API's server-sent event streams: a line parser that takes text in
 * any chunking (CRLF, LF or CR line ends; comments; multi-line data), and the
 * meaning of one event's data as the API sends it — a JSON chunk, an error
 * object (`data: {"error":{…}}`, after which the stream closes), or `[DONE]`.
 * Pure; `api.js` feeds it the bytes.
 */

/**
 * @typedef {{ type: "chunk", chunk: any } | { type: "error", error: ApiErrorBody } | { type: "done" }} StreamEvent
 * @typedef {{ message: string, type?: string | null, code?: string | null, param?: string | null }} ApiErrorBody
 */

/** A parser that turns text as it arrives into the data of each complete event. */
export function createSseParser() {
  let buffer = "";
  let afterCarriageReturn = false;
  /** @type {string[]} */
  let data = [];
  return {
    /**
     * Adds text; returns the data strings of the events it completed.
     * @param {string} text
     * @returns {string[]}
     */
    push(text) {
      // A CR that ended the last chunk may be the first half of a CRLF.
      buffer += afterCarriageReturn && text.startsWith("\n") ? text.slice(1) : text;
      afterCarriageReturn = false;
      /** @type {string[]} */
      const events = [];
      for (;;) {
        const end = /\r\n|\n|\r/.exec(buffer);
        if (end === null) break;
        const line = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end[0].length);
        if (end[0] === "\r" && buffer.length === 0) afterCarriageReturn = true;
        if (line.length === 0) {
          if (data.length > 0) events.push(data.join("\n"));
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
      }
      return events;
    },
  };
}

/**
 * What one event's data means.
 * @param {string} data
 * @returns {StreamEvent}
 */
export function interpretEventData(data) {
  if (data.trim() === "[DONE]") return { type: "done" };
  let value;
  try {
    value = JSON.parse(data);
  } catch {
    return { type: "error", error: { message: `The stream sent data that is not JSON: ${data.slice(0, 120)}` } };
  }
  if (value !== null && typeof value === "object" && "error" in value && value.error !== null && typeof value.error === "object") {
    const error = value.error;
    return {
      type: "error",
      error: { message: typeof error.message === "string" ? error.message : "The stream reported an error.", type: error.type ?? null, code: error.code ?? null, param: error.param ?? null },
    };
  }
  return { type: "chunk", chunk: value };
}
