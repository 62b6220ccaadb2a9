/**
 * @module test/support/scripted-judge
 * A scripted OpenAI-compatible judge on 127.0.0.1: `GET /v1/models` and
 * `POST /v1/chat/completions`. It reads the prompts `urial ab` sends and
 * answers by rule — pairwise: the longer answer wins (equal length: tie;
 * or the shorter, or always A); aspect scores: 1 + (answer length mod 5) —
 * unless a rule says to reply with something unreadable. Every request is
 * recorded.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface JudgeRequestRecord {
  kind: "pair" | "scores" | "evolve" | "other";
  user: string;
  body: Record<string, unknown>;
}

export interface ScriptedJudgeOptions {
  /** Model ids listed. Defaults to `["scripted-judge"]`. */
  models?: string[];
  /** `always`: reply unreadably to every attempt of this request; `once`: only to its first attempt (a retry is read). */
  unreadable?: (request: { kind: JudgeRequestRecord["kind"]; user: string }) => "always" | "once" | undefined;
  /** `pair` verdicts: the longer answer wins (default), the shorter one, or always A (a position-biased judge). */
  pairRule?: "longer" | "shorter" | "first";
}

export interface ScriptedJudge {
  url: string;
  requests: JudgeRequestRecord[];
  close(): Promise<void>;
}

const between = (text: string, open: string, close: string) => {
  const start = text.indexOf(open);
  const end = text.indexOf(close, start + open.length);
  return start < 0 || end < 0 ? "" : text.slice(start + open.length, end).trim();
};

export async function startScriptedJudge(options: ScriptedJudgeOptions = {}): Promise<ScriptedJudge> {
  const requests: JudgeRequestRecord[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = (request.url ?? "/").split("?")[0]!;
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (path === "/v1/models" && request.method === "GET") return json(200, { object: "list", data: (options.models ?? ["scripted-judge"]).map((id) => ({ id, object: "model" })) });
    if (path !== "/v1/chat/completions" || request.method !== "POST") return json(404, { error: { message: `no route ${path}` } });
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    const messages = body.messages as { role: string; content: string }[];
    const user = messages.find((message) => message.role === "user")?.content ?? "";
    const kind = user.includes("<answer_a>") ? "pair" : user.includes("<answer>") ? "scores" : user.includes("<prompt>") ? "evolve" : "other";
    requests.push({ kind, user, body });
    const isRetry = user.includes("could not be read");
    const reply = (content: string) =>
      json(200, { id: "chatcmpl-judge", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] });
    const unreadable = options.unreadable?.({ kind, user });
    if (unreadable === "always") return reply("I think the first one is better, honestly.");
    if (unreadable === "once" && !isRetry) return reply('{"reason": "cut off');
    if (kind === "pair") {
      const a = between(user, "<answer_a>", "</answer_a>");
      const b = between(user, "<answer_b>", "</answer_b>");
      const longer = a.length > b.length ? "A" : b.length > a.length ? "B" : "tie";
      const winner = options.pairRule === "first" ? "A" : options.pairRule === "shorter" ? (longer === "A" ? "B" : longer === "B" ? "A" : "tie") : longer;
      return reply(`Here is my verdict:\n\`\`\`json\n${JSON.stringify({ reason: `A has ${a.length} characters, B has ${b.length}.`, winner })}\n\`\`\``);
    }
    if (kind === "scores") {
      const answer = between(user, "<answer>", "</answer>");
      const score = 1 + (answer.length % 5);
      const aspects = ["helpfulness", "clarity", "factuality", "depth", "engagement", "safety"];
      return reply(JSON.stringify(Object.fromEntries(aspects.map((aspect) => [aspect, { reason: `${aspect} of ${answer.length} characters`, score }]))));
    }
    if (kind === "evolve") return reply(JSON.stringify({ prompt: `A harder version of: ${between(user, "<prompt>", "</prompt>")}` }));
    return reply("?");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
