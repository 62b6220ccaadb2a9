/**
 * @module server/answer-client-error
 * What the server says when Node's HTTP parser refuses a connection before
 * any route sees it: headers that never finish (`--header-timeout`), headers
 * too large, bytes that are not HTTP. The answer is an OpenAI error body like
 * every other one (Node's default is a bare status line), and the connection
 * is closed.
 */
import type { Duplex } from "node:stream";

export type ConnectionErrorReason = "header_timeout" | "request_timeout" | "headers_too_large" | "bad_request" | "reset";

/** The reason label of a parser error. */
export function connectionErrorReason(error: Error & { code?: string }): ConnectionErrorReason {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return "header_timeout";
    case "HPE_HEADER_OVERFLOW":
      return "headers_too_large";
    case "ECONNRESET":
    case "EPIPE":
      return "reset";
    default:
      return "bad_request";
  }
}

const answers: Record<Exclude<ConnectionErrorReason, "reset">, { status: string; message: string; code: string }> = {
  header_timeout: { status: "408 Request Timeout", message: "The request headers did not arrive in time (the server's --header-timeout).", code: "request_header_timeout" },
  request_timeout: { status: "408 Request Timeout", message: "The request did not arrive in time.", code: "request_timeout" },
  headers_too_large: { status: "431 Request Header Fields Too Large", message: "The request headers are larger than the server accepts (16 KiB in all).", code: "headers_too_large" },
  bad_request: { status: "400 Bad Request", message: "The request is not valid HTTP/1.1.", code: "bad_request" },
};

/** Node `clientError` handler: answers (when nothing was sent on the socket yet), closes, and reports the reason. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, onReason?: (reason: ConnectionErrorReason) => void): void {
  const reason = connectionErrorReason(error);
  onReason?.(reason);
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (reason === "reset" || !socket.writable || pending?.headersSent === true) {
    socket.destroy();
    return;
  }
  const answer = answers[reason];
  const body = JSON.stringify({ error: { message: answer.message, type: "invalid_request_error", param: null, code: answer.code } });
  socket.end(`HTTP/1.1 ${answer.status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  // A peer that never reads must not keep the socket open.
  setTimeout(() => socket.destroy(), 1000).unref();
}
