/**
 * @module models/model-reference
 * What a `--model` value names: a local file (or a model already in the
 * cache, by name), a Hugging Face URI, or a plain http(s) URL. Pure.
 */

/** A model the user named; only `hub` and `url` need the network. */
export type ModelReference =
  { kind: "local"; value: string } | { kind: "hub"; uri: string; user: string; repo: string; file: string | undefined; branch: string; tag: string | undefined } | { kind: "url"; url: string };

/** A reference that is fetched over the network. */
export type RemoteReference = Exclude<ModelReference, { kind: "local" }>;

const hubPrefixes = ["hf://", "huggingface://", "hf:", "huggingface:"];

/** Classifies a `--model` value; throws `Error` with a one-line message for a malformed `hf:` URI. */
export function parseModelReference(value: string): ModelReference {
  const prefix = hubPrefixes.find((candidate) => value.startsWith(candidate));
  if (prefix !== undefined) return parseHubUri(value, value.slice(prefix.length));
  if (/^https?:\/\//i.test(value)) {
    try {
      return { kind: "url", url: new URL(value).href };
    } catch {
      throw new Error(`'${value}' is not a valid URL`);
    }
  }
  return { kind: "local", value };
}

/** Whether fetching this value may need the network. */
export function isRemoteReference(reference: ModelReference): reference is RemoteReference {
  return reference.kind !== "local";
}

/** The text users typed for a reference (the canonical URI or URL). */
export function describeReference(reference: ModelReference): string {
  return reference.kind === "local" ? reference.value : reference.kind === "hub" ? reference.uri : reference.url;
}

// hf:<user>/<repo>/<path/to/file.gguf>[#branch] or hf:<user>/<repo>[:<quant>]
function parseHubUri(original: string, rest: string): ModelReference {
  const usage = `'${original}' is not a Hugging Face model URI; write hf:<user>/<repo>/<file>.gguf or hf:<user>/<repo>:<quant>`;
  const [user, repoPart, ...pathParts] = rest.split("/");
  if (!user || !repoPart) throw new Error(usage);
  if (pathParts.length === 0 || repoPart.includes(":")) {
    const [repo, ...tagParts] = repoPart.split(":");
    const tag = tagParts.join(":").trim();
    if (!repo || pathParts.length > 0) throw new Error(usage);
    return { kind: "hub", uri: `hf:${user}/${repo}${tag ? `:${tag}` : ""}`, user, repo, file: undefined, branch: "main", tag: tag || undefined };
  }
  const joined = pathParts.join("/");
  const hash = joined.indexOf("#");
  const file = hash >= 0 ? joined.slice(0, hash) : joined;
  const branch = (hash >= 0 ? joined.slice(hash + 1) : "") || "main";
  if (file === "" || file.endsWith("/")) throw new Error(usage);
  return { kind: "hub", uri: `hf:${user}/${repoPart}/${file}${branch !== "main" ? `#${branch}` : ""}`, user, repo: repoPart, file, branch, tag: undefined };
}

/** The download URL of a file in a hub repository (the `resolve` route every Hugging Face client uses). */
export function hubFileUrl(endpoint: string, reference: Extract<ModelReference, { kind: "hub" }>): string | undefined {
  if (reference.file === undefined) return undefined;
  const base = endpoint.endsWith("/") ? endpoint : `${endpoint}/`;
  const path = reference.file.split("/").map(encodeURIComponent).join("/");
  return `${base}${encodeURIComponent(reference.user)}/${encodeURIComponent(reference.repo)}/resolve/${encodeURIComponent(reference.branch)}/${path}`;
}
