/**
 * @module server/request-id
 * Every response carries `x-request-id`: the client's own when it sent a sane
 * one, otherwise a fresh one. Also makes response ids (`chatcmpl-…`).
 */
import { randomBytes } from "node:crypto";
import type { MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
  }
}

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler {
  return async function assignRequestId(c, next) {
    const incoming = c.req.header("x-request-id");
    const id = incoming !== undefined && acceptable.test(incoming) ? incoming : `req_${randomBytes(12).toString("hex")}`;
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  };
}

export function newResponseId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString("hex")}`;
}
