import { describe, expect, it } from "vitest";
import { defaultHubEndpoint, downloadSettingsFrom, redactToken } from "../../src/models/download-settings.js";
import { defaultModelsDir } from "../../src/models/models-dir.js";

describe("downloadSettingsFrom", () => {
  it("defaults to the public hub, no token, 10 s to connect and 30 s of stall", () => {
    expect(downloadSettingsFrom({})).toEqual({ hubEndpoint: defaultHubEndpoint, hubToken: undefined, connectTimeoutMs: 10_000, stallTimeoutMs: 30_000 });
  });

  it("reads HF_ENDPOINT (adding the slash), HF_TOKEN and the timeouts in seconds", () => {
    expect(downloadSettingsFrom({ HF_ENDPOINT: "http://127.0.0.1:8123", HF_TOKEN: "hf_abc", URIAL_CONNECT_TIMEOUT: "2.5", URIAL_DOWNLOAD_STALL_TIMEOUT: "90" })).toEqual({
      hubEndpoint: "http://127.0.0.1:8123/",
      hubToken: "hf_abc",
      connectTimeoutMs: 2_500,
      stallTimeoutMs: 90_000,
    });
  });

  it("names the variable and the rule for a bad value", () => {
    expect(() => downloadSettingsFrom({ URIAL_CONNECT_TIMEOUT: "soon" })).toThrow("URIAL_CONNECT_TIMEOUT must be a number of seconds above 0 (at most 86400); got 'soon'");
    expect(() => downloadSettingsFrom({ URIAL_DOWNLOAD_STALL_TIMEOUT: "0" })).toThrow("URIAL_DOWNLOAD_STALL_TIMEOUT must be");
    expect(() => downloadSettingsFrom({ HF_ENDPOINT: "hub.local" })).toThrow("HF_ENDPOINT must be an http(s) URL; got 'hub.local'");
  });
});

describe("redactToken", () => {
  it("hides every occurrence of the token, and leaves text alone without one", () => {
    expect(redactToken("Bearer hf_x failed; hf_x again", "hf_x")).toBe("Bearer *** failed; *** again");
    expect(redactToken("nothing secret", undefined)).toBe("nothing secret");
  });
});

describe("defaultModelsDir", () => {
  it("is URIAL_MODELS_DIR, else models/ in urial's cache folder", () => {
    expect(defaultModelsDir({ URIAL_MODELS_DIR: "/srv/models", XDG_CACHE_HOME: "/xdg" })).toBe("/srv/models");
    expect(defaultModelsDir({ XDG_CACHE_HOME: "/xdg" })).toBe("/xdg/urial/models");
  });
});
