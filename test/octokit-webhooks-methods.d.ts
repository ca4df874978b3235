// The package publishes its types for "import" only, which moduleResolution "node" cannot reach.
declare module '@octokit/webhooks-methods' {
  export function sign(secret: string, payload: string): Promise<string>;
  export function verify(secret: string, eventPayload: string, signature: string): Promise<boolean>;
}
