/**
 * @module models/pull-event
 * What a pull reports while it runs, as data; `cli/download-progress` turns
 * it into a bar or log lines.
 */

export type PullEvent =
  /** Found in the cache; nothing is downloaded. */
  | { type: "cached"; name: string; path: string; size: number }
  /** The transfer begins; `resumedFrom` bytes are already there from an interrupted run. */
  | { type: "start"; name: string; source: string; total: number; resumedFrom: number }
  | { type: "progress"; name: string; downloaded: number; total: number }
  /** Transfer complete; checking size, GGUF magic, sha256 (when `sha256`) and tensors. */
  | { type: "verifying"; name: string; sha256: boolean }
  /** Verified and moved into the cache. */
  | { type: "done"; name: string; path: string; size: number; sha256Verified: boolean };
