/**
 * @module ab/judge-output-schema
 * JSON schemas of the two judge replies, so the judge's output can be
 * constrained rather than only parsed: a grammar for a local judge,
 * `response_format: {type: "json_schema"}` for a URL judge whose endpoint
 * supports it. The reason comes before the verdict (the judge reasons
 * first). Scores are an enum, since grammar builders ignore `minimum`.
 */
import { judgeAspects } from "./judge-aspects.js";

/** A named JSON schema (the name is what `response_format.json_schema.name` carries). */
export interface JudgeOutputSchema {
  name: string;
  schema: Record<string, unknown>;
}

const reason = { type: "string" };

/** `{"reason": "…", "winner": "A" | "B" | "tie"}` */
export const pairVerdictSchema: JudgeOutputSchema = {
  name: "pair_verdict",
  schema: {
    type: "object",
    properties: { reason, winner: { type: "string", enum: ["A", "B", "tie"] } },
    required: ["reason", "winner"],
    additionalProperties: false,
  },
};

/** `{"<aspect>": {"reason": "…", "score": 1–5}, …}` for the six aspects. */
export const aspectScoresSchema: JudgeOutputSchema = {
  name: "aspect_scores",
  schema: {
    type: "object",
    properties: Object.fromEntries(
      judgeAspects.map((aspect) => [aspect, { type: "object", properties: { reason, score: { type: "integer", enum: [1, 2, 3, 4, 5] } }, required: ["reason", "score"], additionalProperties: false }]),
    ),
    required: [...judgeAspects],
    additionalProperties: false,
  },
};
