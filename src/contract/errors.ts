// The error classes every runtime knows. Each error Layer Probe raises on purpose is a LayerProbeError
// whose message is meant for the user (it names the file, row and column, the graph node or the option);
// `cause` keeps the underlying error for the log. Code branches on the class, never on the wording.

export class LayerProbeError extends Error {
  override name = 'LayerProbeError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The user cancelled (VS Code's Cancel, Ctrl-C in the CLI). Not a failure: nothing is reported as one. */
export class RunCancelled extends LayerProbeError {
  override name = 'RunCancelled';

  constructor(message = 'the run was cancelled') {
    super(message);
  }
}

export function isRunCancelled(err: unknown): err is RunCancelled {
  return err instanceof RunCancelled;
}

/** The messages of an error's `cause` chain (outermost first, the error itself excluded). */
export function causeMessages(err: unknown): string[] {
  const messages: string[] = [];
  let cause = err instanceof Error ? err.cause : undefined;
  while (cause !== undefined && messages.length < 8) {
    messages.push(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return messages;
}
